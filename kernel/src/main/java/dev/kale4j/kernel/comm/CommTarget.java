package dev.kale4j.kernel.comm;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Kernel side of a comm target: what happens when a frontend opens a comm and sends to it. */
public interface CommTarget {
    default void opened(Comm comm, ObjectNode data) {
    }

    void received(Comm comm, ObjectNode data);

    default void closed(Comm comm, ObjectNode data) {
    }
}
