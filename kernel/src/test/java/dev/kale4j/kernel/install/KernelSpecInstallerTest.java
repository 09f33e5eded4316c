package dev.kale4j.kernel.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import dev.kale4j.kernel.install.KernelSpecInstaller.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelSpecInstallerTest {
    @Test
    void writesKernelspecWithJavaArgvAndCopiesJars(@TempDir Path prefix, @TempDir Path jars) throws Exception {
        Path jar = Files.writeString(jars.resolve("kale4j-kernel.jar"), "not really a jar");
        KernelSpecInstaller.Installed done = KernelSpecInstaller.install(Target.prefix(prefix), List.of(jar), false);
        assertThat(done.kernelJson()).isEqualTo(prefix.resolve("share/jupyter/kernels/kale4j/kernel.json"));
        JsonNode spec = new ObjectMapper().readTree(done.kernelJson().toFile());
        assertThat(spec.path("display_name").asText()).isEqualTo("Java (kale4j)");
        assertThat(spec.path("language").asText()).isEqualTo("java");
        assertThat(spec.path("interrupt_mode").asText()).isEqualTo("message");
        List<String> argv = new java.util.ArrayList<>();
        spec.path("argv").forEach(a -> argv.add(a.asText()));
        assertThat(argv.get(0)).endsWith("/bin/java");
        assertThat(argv).contains("dev.kale4j.kernel.KernelMain", "{connection_file}")
                .contains(prefix.resolve("share/kale4j/lib").resolve("*").toString());
        assertThat(argv.get(argv.size() - 1)).isEqualTo("{connection_file}");
        assertThat(prefix.resolve("share/kale4j/lib/kale4j-kernel.jar")).exists();
    }

    @Test
    void installsThePrebuiltLabExtensionWhenItExists(@TempDir Path prefix, @TempDir Path home) throws Exception {
        assertThat(KernelSpecInstaller.installLabExtension(Target.prefix(prefix), home)).isNull();
        Path built = Files.createDirectories(home.resolve("jupyterlab-ext/kale4j_labextension/static"));
        Files.writeString(built.getParent().resolve("package.json"), "{\"name\": \"kale4j-jupyterlab\"}");
        Files.writeString(built.resolve("remoteEntry.js"), "// js");
        Path dest = KernelSpecInstaller.installLabExtension(Target.prefix(prefix), home);
        assertThat(dest).isEqualTo(prefix.resolve("share/jupyter/labextensions/kale4j-jupyterlab"));
        assertThat(dest.resolve("static/remoteEntry.js")).exists();
        assertThat(Files.readString(dest.resolve("install.json"))).contains("kale4j-jupyterlab");
    }
}
