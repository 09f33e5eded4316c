package dev.kale4j.kernel.comm;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Kernel side of a comm target: what happens when a frontend opens a comm and sends to it. */
public interface CommTarget {
    default void opened(Comm comm, ObjectNode data) {
    }

    /** {@code request} is the comm_msg, the parent of whatever the target sends back. */
    void received(Comm comm, ObjectNode data, dev.kale4j.kernel.messages.Message request);

    default void closed(Comm comm, ObjectNode data) {
    }
}
