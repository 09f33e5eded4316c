package dev.kale4j.kernel.magics;

import dev.kale4j.common.UserError;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.maven.repository.internal.MavenRepositorySystemUtils;
import org.eclipse.aether.DefaultRepositorySystemSession;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.LocalRepository;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.util.filter.DependencyFilterUtils;

/**
 * {@code %maven g:a:v} with Maven's own resolver: transitive runtime dependencies, the same local
 * repository as Maven (settings.xml {@code localRepository} or {@code -Dmaven.repo.local}) and
 * offline mode ({@code <offline>true</offline>} in settings.xml or KALE4J_MAVEN_OFFLINE=true), so a
 * repository filled beforehand works without a network.
 */
public final class MavenResolver {
    private RepositorySystem system;

    public List<Path> resolve(List<String> coordinates) {
        if (system == null) {
            system = new RepositorySystemSupplier().get();
        }
        DefaultRepositorySystemSession session = MavenRepositorySystemUtils.newSession();
        session.setLocalRepositoryManager(system.newLocalRepositoryManager(session, new LocalRepository(localRepository().toFile())));
        session.setOffline(offline());
        List<RemoteRepository> remotes = new ArrayList<>();
        String extra = System.getenv("KALE4J_MAVEN_REPOSITORY");
        if (extra != null && !extra.isBlank()) {
            remotes.add(new RemoteRepository.Builder("kale4j-extra", "default", extra.trim()).build());
        }
        remotes.add(new RemoteRepository.Builder("central", "default", "https://repo.maven.apache.org/maven2/").build());
        CollectRequest collect = new CollectRequest();
        for (String c : coordinates) {
            try {
                collect.addDependency(new Dependency(new DefaultArtifact(c), JavaScopes.RUNTIME));
            } catch (IllegalArgumentException e) {
                throw new UserError("not a Maven coordinate (group:artifact:version): " + c);
            }
        }
        collect.setRepositories(remotes);
        DependencyRequest request = new DependencyRequest(collect,
                DependencyFilterUtils.classpathFilter(JavaScopes.RUNTIME));
        try {
            List<Path> jars = new ArrayList<>();
            for (ArtifactResult r : system.resolveDependencies(session, request).getArtifactResults()) {
                File f = r.getArtifact().getFile();
                if (f != null) {
                    jars.add(f.toPath());
                }
            }
            return jars;
        } catch (DependencyResolutionException e) {
            throw new UserError("cannot resolve " + String.join(" ", coordinates) + ": " + e.getMessage()
                    + (offline() ? " (offline mode)" : ""));
        }
    }

    private static Path settings() {
        return Path.of(System.getProperty("user.home"), ".m2", "settings.xml");
    }

    private static String settingsValue(String element) {
        try {
            Path s = settings();
            if (Files.isRegularFile(s)) {
                Matcher m = Pattern.compile("<" + element + ">\\s*([^<]+?)\\s*</" + element + ">")
                        .matcher(Files.readString(s));
                if (m.find()) {
                    return m.group(1).replace("${user.home}", System.getProperty("user.home"));
                }
            }
        } catch (java.io.IOException ignored) {
            // no usable settings: defaults
        }
        return null;
    }

    static Path localRepository() {
        String prop = System.getProperty("maven.repo.local");
        if (prop == null) {
            prop = System.getenv("KALE4J_MAVEN_LOCAL_REPOSITORY");
        }
        if (prop == null) {
            prop = settingsValue("localRepository");
        }
        return prop != null ? Path.of(prop) : Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    static boolean offline() {
        String env = System.getenv("KALE4J_MAVEN_OFFLINE");
        if (env != null) {
            return Boolean.parseBoolean(env);
        }
        return "true".equals(settingsValue("offline"));
    }
}
