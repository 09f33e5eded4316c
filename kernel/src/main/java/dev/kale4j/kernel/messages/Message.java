package dev.kale4j.kernel.messages;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * One Jupyter message as it travels on a socket: ZeroMQ routing identities, the four JSON parts and
 * binary buffers. The header is kept as JSON so that a reply's parent_header is the request's
 * header exactly as the client sent it.
 */
public record Message(List<byte[]> identities, ObjectNode header, ObjectNode parentHeader, ObjectNode metadata,
        ObjectNode content, List<byte[]> buffers) {

    public Message {
        identities = List.copyOf(identities);
        buffers = List.copyOf(buffers);
    }

    public String type() {
        return header.path("msg_type").asText("");
    }

    public String id() {
        return header.path("msg_id").asText("");
    }

    public String session() {
        return header.path("session").asText("");
    }
}
