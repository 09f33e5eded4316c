package dev.kale4j.kernel.install;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kale4j.kernel.KernelMain;
import dev.kale4j.kernel.channels.Channel;
import dev.kale4j.kernel.channels.Signer;
import dev.kale4j.kernel.channels.WireCodec;
import dev.kale4j.kernel.messages.Message;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The class-loading workload for the kernel's AppCDS archive: run once at install time with
 * {@code -XX:ArchiveClassesAtExit}, it starts a real kernel on loopback and goes through
 * kernel_info, an execution, a completion and shutdown, so the archive holds exactly the classes
 * a session start needs (Jackson, jeromq, JShell and javac).
 */
public final class Training {
    private Training() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("kale4j-training");
        ObjectMapper json = new ObjectMapper();
        int[] ports = new int[5];
        for (int i = 0; i < 5; i++) {
            try (ServerSocket s = new ServerSocket(0)) {
                ports[i] = s.getLocalPort();
            }
        }
        String key = UUID.randomUUID().toString();
        ObjectNode conn = json.createObjectNode().put("transport", "tcp").put("ip", "127.0.0.1")
                .put("shell_port", ports[0]).put("iopub_port", ports[1]).put("stdin_port", ports[2])
                .put("control_port", ports[3]).put("hb_port", ports[4]).put("key", key)
                .put("signature_scheme", "hmac-sha256");
        Path file = dir.resolve("connection.json");
        json.writeValue(file.toFile(), conn);
        Thread kernel = new Thread(() -> {
            try {
                KernelMain.run(file);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "training-kernel");
        kernel.start();
        try (ZContext zmq = new ZContext()) {
            WireCodec codec = new WireCodec(json, new Signer(key, "hmac-sha256"));
            ZMQ.Socket s = zmq.createSocket(SocketType.DEALER);
            s.connect("tcp://127.0.0.1:" + ports[0]);
            Channel shell = new Channel("shell", s, codec);
            ZMQ.Socket c = zmq.createSocket(SocketType.DEALER);
            c.connect("tcp://127.0.0.1:" + ports[3]);
            Channel control = new Channel("control", c, codec);
            call(json, shell, "kernel_info_request", json.createObjectNode());
            call(json, shell, "execute_request", json.createObjectNode().put("code", "1 + 1").put("silent", false));
            call(json, shell, "execute_request", json.createObjectNode()
                    .put("code", "int i = 0;\nSystem.out.println(i + 1);\ni + 1").put("silent", false));
            call(json, shell, "complete_request", json.createObjectNode().put("code", "Math.ma").put("cursor_pos", 7));
            call(json, shell, "is_complete_request", json.createObjectNode().put("code", "int x = 1;"));
            call(json, shell, "inspect_request", json.createObjectNode().put("code", "Math.max").put("cursor_pos", 8));
            call(json, control, "shutdown_request", json.createObjectNode().put("restart", false));
        }
        kernel.join(10_000);
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
        System.exit(0);
    }

    private static void call(ObjectMapper json, Channel channel, String type, ObjectNode content) {
        ObjectNode h = json.createObjectNode().put("msg_id", UUID.randomUUID().toString()).put("session", "training")
                .put("username", "kale4j").put("date", Instant.now().toString()).put("msg_type", type)
                .put("version", "5.3");
        Message req = new Message(List.of(), h, json.createObjectNode(), json.createObjectNode(), content, List.of());
        channel.send(req);
        while (true) {
            Message m = channel.receive(60_000, true);
            if (m == null) {
                throw new IllegalStateException("no reply to " + type);
            }
            if (m.parentHeader().path("msg_id").asText().equals(req.id())) {
                return;
            }
        }
    }
}
