package dev.kale4j.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kale4j.common.Version;
import dev.kale4j.kernel.channels.Channel;
import dev.kale4j.kernel.channels.ConnectionInfo;
import dev.kale4j.kernel.channels.Signer;
import dev.kale4j.kernel.channels.WireCodec;
import dev.kale4j.kernel.comm.CommManager;
import dev.kale4j.kernel.engine.EngineError;
import dev.kale4j.kernel.engine.EngineOutput;
import dev.kale4j.kernel.engine.InputProvider;
import dev.kale4j.kernel.engine.JavaEngine;
import dev.kale4j.kernel.magics.CellRunner;
import dev.kale4j.kernel.messages.Message;
import dev.kale4j.kernel.messages.MessageTypes;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The Jupyter kernel: the five sockets, one thread per receiving socket (each blocking in
 * ZeroMQ), and the handlers. Shell requests run one at a time on the shell thread; control
 * requests (interrupt, shutdown) get their own thread so they are served while a cell runs.
 */
public final class Kernel implements EngineOutput, InputProvider {
    private static final Logger LOG = LoggerFactory.getLogger(Kernel.class);

    private final ObjectMapper json;
    private final ConnectionInfo connection;
    private final String session = UUID.randomUUID().toString();
    private final ZContext zmq = new ZContext(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final OutputStreams streams;
    private final List<String[]> history = new ArrayList<>();
    private Channel shell;
    private Channel control;
    private Channel iopub;
    private Channel stdin;
    private ZMQ.Socket heartbeat;
    private JavaEngine engine;
    private CellRunner cells;
    private CommManager comms;
    private int executionCount;
    /** The request whose outputs are being produced (parent of stream/display messages). */
    private volatile Message current;
    private volatile boolean allowStdin;
    private volatile boolean shuttingDown;
    private volatile Runnable onFirstRequest;
    private final List<Runnable> interruptHooks = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Runs on every interrupt_request (control thread), e.g. to stop a pipeline run a magic waits for. */
    public void onInterrupt(Runnable hook) {
        interruptHooks.add(hook);
    }

    /**
     * Runs once, after the first request was answered (or after {@code fallbackMs}). The Java
     * session warms up then, so on a small machine it does not slow the first kernel_info_reply.
     */
    public void afterFirstRequest(Runnable action, long fallbackMs) {
        onFirstRequest = action;
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(fallbackMs);
            } catch (InterruptedException e) {
                return;
            }
            firstRequestDone();
        }, "kale4j-warmup-fallback");
        t.setDaemon(true);
        t.start();
    }

    private void firstRequestDone() {
        Runnable r;
        synchronized (this) {
            r = onFirstRequest;
            onFirstRequest = null;
        }
        if (r != null) {
            r.run();
        }
    }

    public Kernel(ObjectMapper json, ConnectionInfo connection) {
        this.json = json;
        this.connection = connection;
        // jeromq's I/O threads report problems while the context closes at shutdown (channels
        // already closed); they are expected then, so they go to the debug log, not stderr.
        zmq.setUncaughtExceptionHandler((t, e) -> LOG.debug("jeromq {}: {}", t.getName(), e.toString()));
        zmq.setNotificationExceptionHandler((t, e) -> LOG.debug("jeromq {}: {}", t.getName(), e.toString()));
        this.streams = new OutputStreams(this::publishStream);
    }

    public ObjectMapper json() {
        return json;
    }

    public String session() {
        return session;
    }

    public void attach(JavaEngine engine, CellRunner cells, CommManager comms) {
        this.engine = engine;
        this.cells = cells;
        this.comms = comms;
    }

    /** Binds the sockets and starts serving; returns at once. */
    public void start() {
        WireCodec codec = new WireCodec(json, new Signer(connection.key(), connection.signatureScheme()));
        shell = new Channel("shell", bind(SocketType.ROUTER, connection.shellPort()), codec);
        control = new Channel("control", bind(SocketType.ROUTER, connection.controlPort()), codec);
        stdin = new Channel("stdin", bind(SocketType.ROUTER, connection.stdinPort()), codec);
        iopub = new Channel("iopub", bind(SocketType.PUB, connection.iopubPort()), codec);
        heartbeat = bind(SocketType.REP, connection.hbPort());
        thread("kale4j-heartbeat", this::serveHeartbeat);
        thread("kale4j-control", () -> serve(control));
        thread("kale4j-shell", () -> serve(shell));
        publishStatus("starting", null);
    }

    private ZMQ.Socket bind(SocketType type, int port) {
        ZMQ.Socket s = zmq.createSocket(type);
        s.setLinger(1000);
        if (type == SocketType.ROUTER) {
            s.setRouterHandover(true);
        }
        if (type == SocketType.PUB) {
            // A burst of requests makes two status messages each; with the default high-water
            // mark (1000) a slow subscriber would silently lose the tail, including the idle
            // status it waits for. Queue generously instead.
            s.setSndHWM(200_000);
        }
        s.bind(connection.address(port));
        return s;
    }

    private static void thread(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
    }

    public void awaitShutdown() throws InterruptedException {
        stopped.await();
    }

    private void serveHeartbeat() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                byte[] ping = heartbeat.recv(0);
                if (ping == null) {
                    return;
                }
                while (heartbeat.hasReceiveMore()) {
                    heartbeat.recv(0);
                }
                heartbeat.send(ping, 0);
            }
        } catch (RuntimeException e) {
            LOG.debug("heartbeat ended: {}", e.toString());
        }
    }

    private void serve(Channel channel) {
        while (!shuttingDown) {
            Message m = channel.receive(0);
            if (m == null) {
                if (shuttingDown) {
                    return;
                }
                continue;
            }
            try {
                handle(channel, m);
            } catch (RuntimeException e) {
                // A handler bug must not end the socket loop (JJava's loop dies on one bad message).
                LOG.error("{} failed on {}", m.type(), channel.name(), e);
            }
            if (onFirstRequest != null) {
                firstRequestDone();
            }
        }
    }

    private void handle(Channel channel, Message m) {
        switch (m.type()) {
            case MessageTypes.KERNEL_INFO_REQUEST -> busy(channel, m, () -> reply(channel, m, kernelInfo()));
            case MessageTypes.EXECUTE_REQUEST -> execute(m);
            case MessageTypes.COMPLETE_REQUEST -> busy(channel, m, () -> reply(channel, m, complete(m.content())));
            case MessageTypes.INSPECT_REQUEST -> busy(channel, m, () -> reply(channel, m, inspect(m.content())));
            case MessageTypes.IS_COMPLETE_REQUEST -> busy(channel, m, () -> reply(channel, m, isComplete(m.content())));
            case MessageTypes.HISTORY_REQUEST -> busy(channel, m, () -> reply(channel, m, history(m.content())));
            case MessageTypes.COMM_INFO_REQUEST -> busy(channel, m, () -> reply(channel, m, comms.info(m.content())));
            case MessageTypes.COMM_OPEN -> busy(channel, m, () -> comms.open(m));
            case MessageTypes.COMM_MSG -> busy(channel, m, () -> comms.message(m));
            case MessageTypes.COMM_CLOSE -> busy(channel, m, () -> comms.close(m));
            case MessageTypes.INTERRUPT_REQUEST -> {
                engine.interrupt();
                interruptHooks.forEach(Runnable::run);
                reply(channel, m, ok());
            }
            case MessageTypes.SHUTDOWN_REQUEST -> shutdown(channel, m);
            default -> LOG.warn("ignored unknown message type '{}' on {}", m.type(), channel.name());
        }
    }

    private void busy(Channel channel, Message m, Runnable body) {
        publishStatus("busy", m);
        try {
            body.run();
        } finally {
            publishStatus("idle", m);
        }
    }

    // ---- execute ----

    private void execute(Message m) {
        if (!LOG.isTraceEnabled()) {
            executeTimed(m);
            return;
        }
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long t0 = System.nanoTime();
        long c0 = threads.getCurrentThreadCpuTime();
        try {
            executeTimed(m);
        } finally {
            LOG.trace("execute_request handled in {} us (shell thread cpu {} us)", (System.nanoTime() - t0) / 1000,
                    (threads.getCurrentThreadCpuTime() - c0) / 1000);
        }
    }

    private void executeTimed(Message m) {
        ObjectNode c = m.content();
        String code = c.path("code").asText("");
        boolean silent = c.path("silent").asBoolean(false);
        boolean storeHistory = !silent && c.path("store_history").asBoolean(true);
        boolean stopOnError = c.path("stop_on_error").asBoolean(true);
        publishStatus("busy", m);
        try {
            if (storeHistory) {
                executionCount++;
            }
            int count = executionCount;
            if (!silent) {
                ObjectNode in = json.createObjectNode().put("code", code).put("execution_count", count);
                publish(MessageTypes.EXECUTE_INPUT, m, in);
            }
            current = m;
            allowStdin = c.path("allow_stdin").asBoolean(true);
            CellResult result;
            try {
                result = cells.run(code, new CellRunner.Context(m, count, silent, m.metadata()));
            } catch (RuntimeException e) {
                LOG.error("cell failed inside the kernel", e);
                result = CellResult.error(new EngineError(e.getClass().getSimpleName(), String.valueOf(e.getMessage()),
                        List.of("kernel error: " + e)));
            }
            streams.flush();
            ObjectNode reply = json.createObjectNode();
            if (result.error() == null) {
                if (!silent && (result.valueText() != null || result.valueBundleJson() != null)) {
                    ObjectNode r = json.createObjectNode();
                    r.put("execution_count", count);
                    r.set("data", bundle(result.valueText(), result.valueBundleJson()));
                    r.set("metadata", json.createObjectNode());
                    publish(MessageTypes.EXECUTE_RESULT, m, r);
                }
                reply.put("status", "ok");
                reply.put("execution_count", count);
                reply.set("user_expressions", userExpressions(c.path("user_expressions"), count));
                ArrayNode payload = reply.putArray("payload");
                if (result.pagerText() != null) {
                    ObjectNode page = payload.addObject().put("source", "page").put("start", 0);
                    page.putObject("data").put("text/plain", result.pagerText());
                }
            } else {
                EngineError e = result.error();
                ObjectNode err = json.createObjectNode().put("ename", e.ename()).put("evalue", e.evalue());
                ArrayNode tb = err.putArray("traceback");
                e.traceback().forEach(tb::add);
                if (!silent) {
                    publish(MessageTypes.ERROR, m, err.deepCopy());
                }
                reply.put("status", "error");
                reply.put("execution_count", count);
                reply.setAll(err);
                reply.set("user_expressions", json.createObjectNode());
                reply.set("payload", json.createArrayNode());
            }
            if (storeHistory) {
                history.add(new String[] {Integer.toString(count), code, result.valueText()});
            }
            if (result.error() != null && stopOnError) {
                // Before the reply: only requests sent before the client could see the error are
                // aborted, never one sent in answer to it (e.g. right after an interrupt).
                abortQueuedExecutions();
            }
            reply(shell, m, reply);
        } finally {
            publishStatus("idle", m);
        }
    }

    private ObjectNode userExpressions(JsonNode exprs, int count) {
        ObjectNode out = json.createObjectNode();
        if (!exprs.isObject()) {
            return out;
        }
        exprs.fields().forEachRemaining(e -> {
            CellResult r = cells.evaluateExpression(e.getValue().asText(""), count);
            ObjectNode v = json.createObjectNode();
            if (r.error() == null) {
                v.put("status", "ok");
                v.set("data", bundle(r.valueText(), r.valueBundleJson()));
                v.set("metadata", json.createObjectNode());
            } else {
                v.put("status", "error").put("ename", r.error().ename()).put("evalue", r.error().evalue());
                ArrayNode tb = v.putArray("traceback");
                r.error().traceback().forEach(tb::add);
            }
            out.set(e.getKey(), v);
        });
        return out;
    }

    /** After a failed cell with stop_on_error, requests already queued are answered "aborted". */
    private void abortQueuedExecutions() {
        Message next;
        while ((next = shell.receive(ZMQ.DONTWAIT)) != null) {
            if (next.type().equals(MessageTypes.EXECUTE_REQUEST)) {
                Message n = next;
                busy(shell, n, () -> reply(shell, n, json.createObjectNode().put("status", "aborted")
                        .put("execution_count", executionCount)));
            } else {
                try {
                    handle(shell, next);
                } catch (RuntimeException e) {
                    LOG.error("{} failed", next.type(), e);
                }
            }
        }
    }

    /** A MIME bundle for a value: the rich bundle if the value has one, else text/plain. */
    public ObjectNode bundle(String text, String bundleJson) {
        if (bundleJson != null) {
            try {
                JsonNode n = json.readTree(bundleJson);
                if (n instanceof ObjectNode o) {
                    return o;
                }
            } catch (IOException e) {
                LOG.warn("bad MIME bundle from the execution JVM: {}", e.getMessage());
            }
        }
        return json.createObjectNode().put("text/plain", text == null ? "" : text);
    }

    // ---- other shell requests ----

    private ObjectNode kernelInfo() {
        ObjectNode r = ok();
        r.put("protocol_version", MessageTypes.PROTOCOL_VERSION);
        r.put("implementation", "kale4j");
        r.put("implementation_version", Version.get());
        ObjectNode li = r.putObject("language_info");
        li.put("name", "java");
        li.put("version", Runtime.version().toString());
        li.put("mimetype", "text/x-java-source");
        li.put("file_extension", ".java");
        li.put("pygments_lexer", "java");
        li.put("codemirror_mode", "text/x-java");
        li.put("nbconvert_exporter", "script");
        r.put("banner", "kale4j " + Version.get() + " - Java " + Runtime.version()
                + " (JShell; user code runs in a separate JVM)");
        r.put("debugger", false);
        ArrayNode links = r.putArray("help_links");
        links.addObject().put("text", "kale4j kernel").put("url", "https://github.com/kale4j/kale4j/blob/main/docs/kernel.md");
        return r;
    }

    private ObjectNode complete(ObjectNode c) {
        String code = c.path("code").asText("");
        int cursor = toJavaIndex(code, c.path("cursor_pos").asInt(code.codePointCount(0, code.length())));
        ObjectNode r = ok();
        CellRunner.Completion comp = cells.complete(code, cursor);
        ArrayNode matches = r.putArray("matches");
        comp.matches().forEach(matches::add);
        r.put("cursor_start", code.codePointCount(0, comp.start()));
        r.put("cursor_end", code.codePointCount(0, comp.end()));
        r.set("metadata", json.createObjectNode());
        return r;
    }

    private ObjectNode inspect(ObjectNode c) {
        String code = c.path("code").asText("");
        int cursor = toJavaIndex(code, c.path("cursor_pos").asInt(code.codePointCount(0, code.length())));
        JavaEngine.Inspection doc = engine.inspectRich(code, cursor);
        ObjectNode r = ok();
        r.put("found", doc != null);
        ObjectNode data = r.putObject("data");
        if (doc != null) {
            data.put("text/plain", doc.text());
            data.put("text/html", doc.html());
        }
        r.set("metadata", json.createObjectNode());
        return r;
    }

    private ObjectNode isComplete(ObjectNode c) {
        String code = c.path("code").asText("");
        String status = cells.isComplete(code);
        ObjectNode r = json.createObjectNode().put("status", status);
        if (status.equals("incomplete")) {
            r.put("indent", "    ");
        }
        return r;
    }

    private ObjectNode history(ObjectNode c) {
        String access = c.path("hist_access_type").asText("tail");
        List<String[]> items = new ArrayList<>(history);
        List<String[]> selected = new ArrayList<>();
        switch (access) {
            case "range" -> {
                int start = c.path("start").asInt(0);
                int stop = c.path("stop").asInt(Integer.MAX_VALUE);
                for (String[] h : items) {
                    int line = Integer.parseInt(h[0]);
                    if (line >= start && line < stop) {
                        selected.add(h);
                    }
                }
            }
            case "search" -> {
                String glob = c.path("pattern").asText("*");
                Pattern p = Pattern.compile(globToRegex(glob), Pattern.DOTALL);
                for (String[] h : items) {
                    if (p.matcher(h[1]).matches()) {
                        selected.add(h);
                    }
                }
                if (c.path("unique").asBoolean(false)) {
                    java.util.Map<String, String[]> byCode = new java.util.LinkedHashMap<>();
                    for (String[] h : selected) {
                        byCode.remove(h[1]);
                        byCode.put(h[1], h);
                    }
                    selected = new ArrayList<>(byCode.values());
                }
                int n = c.path("n").asInt(0);
                if (n > 0 && selected.size() > n) {
                    selected = selected.subList(selected.size() - n, selected.size());
                }
            }
            default -> {
                int n = c.path("n").asInt(items.size());
                selected = items.subList(Math.max(0, items.size() - n), items.size());
            }
        }
        ObjectNode r = ok();
        ArrayNode h = r.putArray("history");
        boolean output = c.path("output").asBoolean(false);
        for (String[] item : selected) {
            ArrayNode entry = h.addArray().add(0).add(Integer.parseInt(item[0]));
            if (output) {
                entry.addArray().add(item[1]).add(item[2]);
            } else {
                entry.add(item[1]);
            }
        }
        return r;
    }

    private static String globToRegex(String glob) {
        StringBuilder sb = new StringBuilder();
        for (char ch : glob.toCharArray()) {
            switch (ch) {
                case '*' -> sb.append(".*");
                case '?' -> sb.append('.');
                default -> sb.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return sb.toString();
    }

    private void shutdown(Channel channel, Message m) {
        boolean restart = m.content().path("restart").asBoolean(false);
        LOG.info("shutdown requested (restart={})", restart);
        reply(channel, m, ok().put("restart", restart));
        publishStatus("idle", m);
        stop();
    }

    /** Ends the kernel: the execution JVMs, the sockets, then the waiting main thread. */
    public void stop() {
        if (shuttingDown) {
            return;
        }
        shuttingDown = true;
        try {
            if (engine != null) {
                engine.close();
            }
        } finally {
            streams.close();
            zmq.close();
            stopped.countDown();
        }
    }

    private static int toJavaIndex(String code, int codePoints) {
        int cp = Math.max(0, Math.min(codePoints, code.codePointCount(0, code.length())));
        return code.offsetByCodePoints(0, cp);
    }

    // ---- sending ----

    public ObjectNode ok() {
        return json.createObjectNode().put("status", "ok");
    }

    private ObjectNode header(String type) {
        ObjectNode h = json.createObjectNode();
        h.put("msg_id", UUID.randomUUID().toString());
        h.put("session", session);
        h.put("username", "kale4j");
        h.put("date", Instant.now().toString());
        h.put("msg_type", type);
        h.put("version", MessageTypes.PROTOCOL_VERSION);
        return h;
    }

    public void reply(Channel channel, Message request, ObjectNode content) {
        channel.send(new Message(request.identities(), header(MessageTypes.replyTo(request.type())),
                request.header(), json.createObjectNode(), content, List.of()));
    }

    /** Publishes on IOPub with {@code parent} as parent header (may be null). */
    public void publish(String type, Message parent, ObjectNode content) {
        if (!type.equals(MessageTypes.STREAM) && !type.equals(MessageTypes.STATUS)) {
            streams.flush();
        }
        ObjectNode parentHeader = parent == null ? json.createObjectNode() : parent.header();
        byte[] topic = ("kernel." + session + "." + type).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        iopub.send(new Message(List.of(topic), header(type), parentHeader, json.createObjectNode(), content, List.of()));
    }

    private void publishStatus(String state, Message parent) {
        publish(MessageTypes.STATUS, parent, json.createObjectNode().put("execution_state", state));
    }

    private void publishStream(String name, String text) {
        publish(MessageTypes.STREAM, current, json.createObjectNode().put("name", name).put("text", text));
    }

    /** The request currently being executed (parent of its outputs). */
    public Message current() {
        return current;
    }

    // ---- EngineOutput ----

    @Override
    public void stdout(String text) {
        streams.append("stdout", text);
    }

    @Override
    public void stderr(String text) {
        streams.append("stderr", text);
    }

    @Override
    public void clearOutput(boolean wait) {
        publish("clear_output", current, json.createObjectNode().put("wait", wait));
    }

    @Override
    public void display(String bundleJson) {
        ObjectNode c = json.createObjectNode();
        c.set("data", bundle(null, bundleJson));
        c.set("metadata", json.createObjectNode());
        c.set("transient", json.createObjectNode());
        publish(MessageTypes.DISPLAY_DATA, current, c);
    }

    // ---- InputProvider ----

    @Override
    public String readLine(String prompt, boolean password) throws IOException {
        Message request = current;
        if (!allowStdin || request == null) {
            stderr("[kale4j] this frontend does not support input (allow_stdin is false); System.in is at its end\n");
            return null;
        }
        streams.flush();
        ObjectNode c = json.createObjectNode().put("prompt", prompt).put("password", password);
        stdin.send(new Message(request.identities(), header(MessageTypes.INPUT_REQUEST), request.header(),
                json.createObjectNode(), c, List.of()));
        while (!shuttingDown) {
            // A bounded wait so an interrupt can end the read; the reply itself wakes us at once.
            Message reply = stdin.receive(250, true);
            if (reply == null) {
                if (!engine.isRunning() || interruptedWhileReading()) {
                    throw new java.io.InterruptedIOException("interrupted while waiting for input");
                }
                continue;
            }
            if (reply.type().equals(MessageTypes.INPUT_REPLY)) {
                return reply.content().path("value").asText("");
            }
            LOG.warn("ignored {} on stdin", reply.type());
        }
        return null;
    }

    private volatile boolean inputInterrupted;

    private boolean interruptedWhileReading() {
        return cells.interruptRequested();
    }
}
