package dev.kale4j.kernel.comm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kale4j.kernel.messages.Message;

/** An open comm; {@link #send} publishes a comm_msg on IOPub, in reply to {@code parent}. */
public final class Comm {
    private final String id;
    private final String target;
    private final CommManager manager;

    Comm(String id, String target, CommManager manager) {
        this.id = id;
        this.target = target;
        this.manager = manager;
    }

    public String id() {
        return id;
    }

    public String target() {
        return target;
    }

    public void send(Message parent, ObjectNode data) {
        manager.send(this, parent, data);
    }
}
