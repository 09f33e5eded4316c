package dev.kale4j.bench.kernel;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kale4j.kernel.channels.Channel;
import dev.kale4j.kernel.channels.Signer;
import dev.kale4j.kernel.channels.WireCodec;
import dev.kale4j.kernel.messages.Message;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** A minimal Jupyter client for benchmarks: starts a kernel from an argv and talks to it. */
final class KernelClient implements AutoCloseable {
    private final ObjectMapper json = new ObjectMapper();
    private final ZContext zmq = new ZContext();
    private final String session = UUID.randomUUID().toString();
    private final Channel shell;
    private final Channel iopub;
    private final Channel control;
    private final Process process;
    final long startedNanos;

    KernelClient(List<String> argvTemplate, Path dir) throws IOException {
        int[] ports = freePorts(5);
        String key = UUID.randomUUID().toString();
        ObjectNode conn = json.createObjectNode().put("transport", "tcp").put("ip", "127.0.0.1")
                .put("shell_port", ports[0]).put("iopub_port", ports[1]).put("stdin_port", ports[2])
                .put("control_port", ports[3]).put("hb_port", ports[4]).put("key", key)
                .put("signature_scheme", "hmac-sha256").put("kernel_name", "bench");
        Path file = dir.resolve("connection-" + session + ".json");
        json.writeValue(file.toFile(), conn);
        WireCodec codec = new WireCodec(json, new Signer(key, "hmac-sha256"));
        ZMQ.Socket s = zmq.createSocket(SocketType.DEALER);
        s.setIdentity(session.getBytes());
        s.connect("tcp://127.0.0.1:" + ports[0]);
        shell = new Channel("shell", s, codec);
        ZMQ.Socket c = zmq.createSocket(SocketType.DEALER);
        c.connect("tcp://127.0.0.1:" + ports[3]);
        control = new Channel("control", c, codec);
        ZMQ.Socket io = zmq.createSocket(SocketType.SUB);
        io.subscribe(new byte[0]);
        io.connect("tcp://127.0.0.1:" + ports[1]);
        iopub = new Channel("iopub", io, codec);
        List<String> argv = new ArrayList<>();
        for (String a : argvTemplate) {
            argv.add(a.replace("{connection_file}", file.toString()));
        }
        startedNanos = System.nanoTime();
        process = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(dir.resolve("kernel-" + session + ".log").toFile()).start();
    }

    private static int[] freePorts(int n) throws IOException {
        int[] ports = new int[n];
        List<ServerSocket> open = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ServerSocket ss = new ServerSocket(0);
            open.add(ss);
            ports[i] = ss.getLocalPort();
        }
        for (ServerSocket ss : open) {
            ss.close();
        }
        return ports;
    }

    Message request(String type, ObjectNode content) {
        ObjectNode h = json.createObjectNode().put("msg_id", UUID.randomUUID().toString()).put("session", session)
                .put("username", "bench").put("date", Instant.now().toString()).put("msg_type", type)
                .put("version", "5.3");
        return new Message(List.of(), h, json.createObjectNode(), json.createObjectNode(), content, List.of());
    }

    ObjectNode content() {
        return json.createObjectNode();
    }

    /** Sends on shell and waits for the reply to it. */
    Message call(String type, ObjectNode content) {
        Message req = request(type, content);
        shell.send(req);
        while (true) {
            Message m = shell.receive(0);
            if (m == null) {
                throw new IllegalStateException("shell closed");
            }
            if (m.parentHeader().path("msg_id").asText().equals(req.id())) {
                return m;
            }
        }
    }

    Message execute(String code) {
        return call("execute_request", content().put("code", code).put("silent", false).put("store_history", true)
                .put("allow_stdin", false).put("stop_on_error", true).set("user_expressions", json.createObjectNode()));
    }

    /** Waits for an execute_result on IOPub (for time-to-first-result). */
    Message awaitResult(long timeoutMs) {
        long end = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < end) {
            Message m = iopub.receive((int) Math.max(1, end - System.currentTimeMillis()), true);
            if (m != null && m.type().equals("execute_result")) {
                return m;
            }
        }
        return null;
    }

    void drainIopub() {
        while (iopub.receive(ZMQ.DONTWAIT) != null) {
            // discard
        }
    }

    @Override
    public void close() {
        try {
            Message req = request("shutdown_request", content().put("restart", false));
            control.send(req);
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroy();
                process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroyForcibly();
            zmq.close();
        }
    }
}
