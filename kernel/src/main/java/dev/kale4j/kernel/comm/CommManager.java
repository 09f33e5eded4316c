package dev.kale4j.kernel.comm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kale4j.kernel.Kernel;
import dev.kale4j.kernel.messages.Message;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** comm_open / comm_msg / comm_close / comm_info for the registered targets. */
public final class CommManager {
    private static final Logger LOG = LoggerFactory.getLogger(CommManager.class);

    private final Kernel kernel;
    private final ObjectMapper json;
    private final Map<String, CommTarget> targets = new ConcurrentHashMap<>();
    private final Map<String, Comm> open = new ConcurrentHashMap<>();

    public CommManager(Kernel kernel) {
        this.kernel = kernel;
        this.json = kernel.json();
    }

    public void register(String targetName, CommTarget target) {
        targets.put(targetName, target);
    }

    public ObjectNode info(ObjectNode request) {
        String filter = request.path("target_name").asText(null);
        ObjectNode r = kernel.ok();
        ObjectNode comms = r.putObject("comms");
        open.values().stream().filter(c -> filter == null || filter.isEmpty() || c.target().equals(filter))
                .forEach(c -> comms.putObject(c.id()).put("target_name", c.target()));
        return r;
    }

    public void open(Message m) {
        String id = m.content().path("comm_id").asText("");
        String target = m.content().path("target_name").asText("");
        CommTarget t = targets.get(target);
        if (t == null || id.isEmpty()) {
            // Per the protocol: an unknown target is answered by closing the comm.
            LOG.warn("comm_open for unknown target '{}'", target);
            ObjectNode c = json.createObjectNode().put("comm_id", id);
            c.putObject("data");
            kernel.publish("comm_close", m, c);
            return;
        }
        Comm comm = new Comm(id, target, this);
        open.put(id, comm);
        t.opened(comm, data(m));
    }

    public void message(Message m) {
        Comm comm = open.get(m.content().path("comm_id").asText(""));
        if (comm == null) {
            LOG.warn("comm_msg for unknown comm {}", m.content().path("comm_id").asText(""));
            return;
        }
        targets.get(comm.target()).received(comm, data(m), m);
    }

    public void close(Message m) {
        Comm comm = open.remove(m.content().path("comm_id").asText(""));
        if (comm != null) {
            targets.get(comm.target()).closed(comm, data(m));
        }
    }

    private ObjectNode data(Message m) {
        return m.content().path("data") instanceof ObjectNode o ? o : json.createObjectNode();
    }

    void send(Comm comm, Message parent, ObjectNode data) {
        ObjectNode c = json.createObjectNode().put("comm_id", comm.id());
        c.set("data", data);
        kernel.publish("comm_msg", parent, c);
    }
}
