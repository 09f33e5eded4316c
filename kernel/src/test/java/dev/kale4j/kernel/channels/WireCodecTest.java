package dev.kale4j.kernel.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kale4j.kernel.messages.Message;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireCodecTest {
    private final ObjectMapper json = new ObjectMapper();
    private final WireCodec codec = new WireCodec(json, new Signer("secret", "hmac-sha256"));

    private Message message() {
        ObjectNode h = json.createObjectNode().put("msg_id", "1").put("msg_type", "kernel_info_request");
        return new Message(List.of("client".getBytes()), h, json.createObjectNode(), json.createObjectNode(),
                json.createObjectNode().put("code", "1 + 1"), List.of());
    }

    @Test
    void roundTripKeepsIdentitiesAndContent() throws Exception {
        Message back = codec.decode(codec.encode(message()));
        assertThat(back.type()).isEqualTo("kernel_info_request");
        assertThat(new String(back.identities().get(0))).isEqualTo("client");
        assertThat(back.content().path("code").asText()).isEqualTo("1 + 1");
    }

    @Test
    void signatureMatchesJupyterHmacSha256() {
        // Same as Python: hmac.new(b"secret", b"abc", hashlib.sha256).hexdigest()
        byte[] sig = new Signer("secret", "hmac-sha256").sign("a".getBytes(), "bc".getBytes());
        assertThat(new String(sig, StandardCharsets.US_ASCII))
                .isEqualTo("9946dad4e00e913fc8be8e5d3f7e110a4a9e832f83fb09c345285d78638d8a0e");
    }

    @Test
    void forgedOrMissingSignatureIsRejected() {
        List<byte[]> frames = new ArrayList<>(codec.encode(message()));
        int sig = frames.indexOf(frames.stream().filter(f -> new String(f).equals("<IDS|MSG>")).findFirst().get()) + 1;
        frames.set(sig, "0".repeat(64).getBytes());
        assertThatThrownBy(() -> codec.decode(frames)).isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("signature");
        frames.set(sig, new byte[0]);
        assertThatThrownBy(() -> codec.decode(frames)).isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void malformedJsonAndMissingFramesAreRejected() {
        Signer signer = new Signer("secret", "hmac-sha256");
        byte[] h = "{\"msg_type\":\"x\"}".getBytes();
        byte[] bad = "{nope".getBytes();
        byte[] empty = "{}".getBytes();
        List<byte[]> frames = List.of(WireCodec.DELIMITER, signer.sign(h, empty, empty, bad), h, empty, empty, bad);
        assertThatThrownBy(() -> codec.decode(frames)).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> codec.decode(List.of(WireCodec.DELIMITER, h))).hasMessageContaining("frames");
        assertThatThrownBy(() -> codec.decode(List.of(h))).hasMessageContaining("delimiter");
    }
}
