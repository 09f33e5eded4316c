package dev.kale4j.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kale4j.common.UserError;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The UI addresses for links to cluster runs: notebook settings, overridden by the environment. */
class ClusterSettingsTest {
    @TempDir
    Path dir;

    @Test
    void uiBasesComeFromTheNotebookAndTheEnvironmentWins() {
        ClusterSettings s = ClusterSettings.of(Fixtures.notebook(Fixtures.WORD_STATS, dir, kn -> kn.putObject("cluster")
                .put("argo_ui", "https://argo.example.com/").put("kfp_ui", "https://kf.example.com/pipeline")
                .put("cache_max_age", "24h").put("namespace", "team-a")));
        assertThat(s.namespace()).isEqualTo("team-a");
        assertThat(s.argoUi()).isEqualTo("https://argo.example.com/");
        assertThat(s.cacheMaxAge()).as("the other keys still read").isEqualTo("24h");
        assertThat(s.uiBase("argo", k -> null)).isEqualTo("https://argo.example.com");
        assertThat(s.uiBase("kfp", k -> null)).isEqualTo("https://kf.example.com/pipeline");
        Map<String, String> env = Map.of("KALE4J_ARGO_UI", "http://localhost:2746/");
        assertThat(s.uiBase("argo", env::get)).isEqualTo("http://localhost:2746");
        assertThat(s.uiBase("kfp", env::get)).isEqualTo("https://kf.example.com/pipeline");
    }

    @Test
    void noSettingMeansNoBaseAndABadAddressIsAnError() {
        ClusterSettings none = ClusterSettings.of(Fixtures.notebook(Fixtures.WORD_STATS, dir.resolve("a")));
        assertThat(none.uiBase("argo", k -> null)).isNull();
        assertThat(none.uiBase("kfp", k -> " ")).isNull();
        assertThatThrownBy(() -> ClusterSettings.of(Fixtures.notebook(Fixtures.WORD_STATS, dir.resolve("b"),
                kn -> kn.putObject("cluster").put("argo_ui", "argo.example.com")))).isInstanceOf(UserError.class)
                .hasMessageContaining("argo_ui").hasMessageContaining("http");
        assertThatThrownBy(() -> ClusterSettings.of(Fixtures.notebook(Fixtures.WORD_STATS, dir.resolve("c"),
                kn -> kn.putObject("cluster").put("argo_url", "https://x")))).isInstanceOf(UserError.class)
                .hasMessageContaining("unknown key \"argo_url\"").hasMessageContaining("argo_ui");
        assertThatThrownBy(() -> ClusterSettings.of(Fixtures.notebook(Fixtures.WORD_STATS, dir.resolve("d"),
                kn -> kn.putObject("cluster").put("namespace", "Team_A")))).isInstanceOf(UserError.class)
                .hasMessageContaining("namespace");
        assertThat(none.namespace()).isNull();
    }
}
