package dev.kale4j.snapshot;

import dev.kale4j.common.UserError;
import dev.kale4j.snapshot.cli.AgentMain;
import dev.kale4j.snapshot.store.S3Settings;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The S3 backend against a real S3 server (s3proxy on a filesystem store) listening on 127.0.0.1. */
class S3RepositoryTest {
    private static final String ACCESS = "kale4j-access";
    private static final String SECRET = "kale4j-secret-key";
    private static S3Proxy proxy;
    private static BlobStoreContext context;
    private static String endpoint;
    private static Path storeDir;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startS3() throws Exception {
        storeDir = Files.createTempDirectory("kale4j-s3proxy");
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", storeDir.toString());
        context = ContextBuilder.newBuilder("filesystem").overrides(props).credentials("x", "y")
                .build(BlobStoreContext.class);
        BlobStore store = context.getBlobStore();
        store.createContainerInLocation(null, "snapshots");
        proxy = S3Proxy.builder().blobStore(store).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET)
                .v4MaxNonChunkedRequestSize(128L << 20).build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) {
            Thread.sleep(5);
        }
        endpoint = "http://127.0.0.1:" + proxy.getPort();
    }

    @AfterAll
    static void stopS3() throws Exception {
        proxy.stop();
        context.close();
        new ProcessBuilder("rm", "-rf", storeDir.toString()).start().waitFor();
    }

    private static S3Settings settings() {
        return new S3Settings(endpoint, "us-east-1", ACCESS, SECRET, null);
    }

    @Test
    void fullLifecycleOnS3() throws Exception {
        Path src = TestTrees.mixed(tmp.resolve("src"), 41);
        try (SnapshotRepository repo = SnapshotRepository.open("s3://snapshots/team a/run-1", settings())) {
            assertThatThrownBy(repo::list).isInstanceOf(UserError.class)
                    .hasMessageContaining("no kale4j snapshot repository at s3://snapshots/team a/run-1");
            assertThat(repo.init()).isTrue();
            assertThat(repo.list()).isEmpty();
            try (SnapshotRepository other = SnapshotRepository.open("s3://snapshots/team a/run-1", settings())) {
                assertThat(other.init()).isFalse();
            }
            SnapshotInfo first = repo.create(src, Map.of("run", "1", "step", "load"));
            Files.writeString(src.resolve("data/nested/small.txt"), "changed");
            SnapshotInfo second = repo.create(src, Map.of("run", "1", "step", "train"));
            assertThat(second.reusedFiles()).isEqualTo(5);
            assertThat(repo.list()).extracting(SnapshotInfo::id).containsExactly(second.id(), first.id());
            assertThat(repo.verify().errors()).isEmpty();
            repo.restore(second.id(), tmp.resolve("out"));
            TestTrees.assertSameTree(src, tmp.resolve("out"));
            repo.forget(first.id());
            repo.gc();
            assertThat(repo.verify().ok()).isTrue();
            assertThat(repo.list()).hasSize(1);
        }
        // The objects really are in the S3 server's store, under the prefix.
        assertThat(context.getBlobStore().list("snapshots",
                org.jclouds.blobstore.options.ListContainerOptions.Builder.prefix("team a/run-1/snapshots/")
                        .recursive())).hasSize(1);
    }

    @Test
    void badCredentialsAndMissingBucketAreClearErrors() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("a"), "a");
        try (SnapshotRepository repo = SnapshotRepository.open("s3://snapshots/x",
                new S3Settings(endpoint, "us-east-1", ACCESS, "wrong", null))) {
            assertThatThrownBy(() -> repo.create(src, Map.of())).isInstanceOf(UserError.class)
                    .hasMessageContaining("403");
            // What init is for: finding a wrong key before the first step runs.
            assertThatThrownBy(repo::init).isInstanceOf(UserError.class).hasMessageContaining("403");
        }
        try (SnapshotRepository repo = SnapshotRepository.open("s3://no-such-bucket/x", settings())) {
            assertThatThrownBy(() -> repo.create(src, Map.of())).isInstanceOf(UserError.class)
                    .hasMessageContaining("bucket 'no-such-bucket' does not exist");
            assertThatThrownBy(repo::init).isInstanceOf(UserError.class)
                    .hasMessageContaining("bucket 'no-such-bucket' does not exist");
        }
        assertThatThrownBy(() -> SnapshotRepository.open("s3://snapshots/x",
                new S3Settings(endpoint, "us-east-1", null, null, null))).isInstanceOf(UserError.class)
                .hasMessageContaining("AWS_ACCESS_KEY_ID");
    }

    @Test
    void cliWorksAgainstS3() throws Exception {
        Path src = TestTrees.mixed(tmp.resolve("src"), 42);
        String[] s3 = {"--repo", "s3://snapshots/cli", "--s3-endpoint", endpoint, "--s3-access-key", ACCESS,
                "--s3-secret-key", SECRET};
        String json = run(concat(new String[] {"create", "--source", src.toString(), "--tag", "step=a", "--json"}, s3));
        String id = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).get("id").asText();
        assertThat(id).hasSize(64);
        assertThat(run(concat(new String[] {"list"}, s3))).contains(id.substring(0, 12)).contains("step=a");
        run(concat(new String[] {"restore", "--id", id.substring(0, 8), "--target", tmp.resolve("out").toString()}, s3));
        TestTrees.assertSameTree(src, tmp.resolve("out"));
        assertThat(run(concat(new String[] {"verify"}, s3))).contains("is intact");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        int code;
        try {
            code = AgentMain.execute(args);
        } finally {
            System.setOut(old);
        }
        assertThat(code).as(buf.toString()).isZero();
        return buf.toString();
    }
}
