package dev.kale4j.kernel.channels;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kale4j.kernel.messages.Message;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Turns ZeroMQ multipart frames into messages and back (the wire protocol, with signatures). */
public final class WireCodec {
    public static final byte[] DELIMITER = "<IDS|MSG>".getBytes(StandardCharsets.US_ASCII);

    private final ObjectMapper json;
    private final Signer signer;

    public WireCodec(ObjectMapper json, Signer signer) {
        this.json = json;
        this.signer = signer;
    }

    public Message decode(List<byte[]> frames) throws MalformedMessageException {
        int d = -1;
        for (int i = 0; i < frames.size(); i++) {
            if (Arrays.equals(frames.get(i), DELIMITER)) {
                d = i;
                break;
            }
        }
        if (d < 0) {
            throw new MalformedMessageException("no <IDS|MSG> delimiter");
        }
        if (frames.size() < d + 6) {
            throw new MalformedMessageException("expected 5 frames after the delimiter, got " + (frames.size() - d - 1));
        }
        byte[] header = frames.get(d + 2);
        byte[] parent = frames.get(d + 3);
        byte[] metadata = frames.get(d + 4);
        byte[] content = frames.get(d + 5);
        if (!signer.verify(frames.get(d + 1), header, parent, metadata, content)) {
            throw new MalformedMessageException("bad or missing signature");
        }
        ObjectNode h = object(header, "header");
        if (!h.path("msg_type").isTextual()) {
            throw new MalformedMessageException("header has no msg_type");
        }
        return new Message(frames.subList(0, d), h, object(parent, "parent_header"), object(metadata, "metadata"),
                object(content, "content"), frames.subList(d + 6, frames.size()));
    }

    private ObjectNode object(byte[] bytes, String what) throws MalformedMessageException {
        try {
            JsonNode n = json.readTree(bytes);
            if (n == null || n.isMissingNode()) {
                return json.createObjectNode();
            }
            if (!(n instanceof ObjectNode o)) {
                throw new MalformedMessageException(what + " is not a JSON object");
            }
            return o;
        } catch (IOException e) {
            throw new MalformedMessageException(what + " is not valid JSON: " + firstLine(String.valueOf(e.getMessage())));
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    public List<byte[]> encode(Message m) {
        try {
            byte[] header = json.writeValueAsBytes(m.header());
            byte[] parent = json.writeValueAsBytes(m.parentHeader());
            byte[] metadata = json.writeValueAsBytes(m.metadata());
            byte[] content = json.writeValueAsBytes(m.content());
            List<byte[]> frames = new ArrayList<>(m.identities().size() + 6 + m.buffers().size());
            frames.addAll(m.identities());
            frames.add(DELIMITER);
            frames.add(signer.sign(header, parent, metadata, content));
            frames.add(header);
            frames.add(parent);
            frames.add(metadata);
            frames.add(content);
            frames.addAll(m.buffers());
            return frames;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a message", e);
        }
    }
}
