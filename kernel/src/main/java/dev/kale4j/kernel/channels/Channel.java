package dev.kale4j.kernel.channels;

import dev.kale4j.kernel.messages.Message;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * One kernel socket. Receiving blocks in ZeroMQ (no sleep loops); sending is synchronized because
 * ZeroMQ sockets are not thread-safe and IOPub is written from several threads. A frame set that
 * does not decode is logged and dropped: one bad message must never end a socket's loop.
 */
public final class Channel {
    private static final Logger LOG = LoggerFactory.getLogger(Channel.class);

    private final String name;
    private final ZMQ.Socket socket;
    private final WireCodec codec;

    public Channel(String name, ZMQ.Socket socket, WireCodec codec) {
        this.name = name;
        this.socket = socket;
        this.codec = codec;
    }

    public String name() {
        return name;
    }

    public ZMQ.Socket socket() {
        return socket;
    }

    /**
     * Next valid message, blocking (or null at once with {@code ZMQ.DONTWAIT} when none is queued).
     * Returns null when the socket was closed.
     */
    public Message receive(int flags) {
        while (true) {
            List<byte[]> frames = new ArrayList<>();
            try {
                byte[] first = socket.recv(flags);
                if (first == null) {
                    return null;
                }
                frames.add(first);
                while (socket.hasReceiveMore()) {
                    frames.add(socket.recv(0));
                }
            } catch (ZMQException | IllegalStateException e) {
                if (flags != 0) {
                    return null;
                }
                LOG.debug("{} socket closed: {}", name, e.toString());
                return null;
            }
            try {
                return codec.decode(frames);
            } catch (MalformedMessageException e) {
                LOG.warn("dropped a message on {}: {}", name, e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("dropped an undecodable message on {}: {}", name, e.toString());
            }
        }
    }

    /** Receives with a timeout in milliseconds; null when nothing valid arrived in time. */
    public Message receive(int timeoutMs, boolean unused) {
        socket.setReceiveTimeOut(timeoutMs);
        try {
            return receive(0);
        } finally {
            socket.setReceiveTimeOut(-1);
        }
    }

    public synchronized void send(Message m) {
        List<byte[]> frames = codec.encode(m);
        try {
            for (int i = 0; i < frames.size(); i++) {
                socket.send(frames.get(i), i < frames.size() - 1 ? ZMQ.SNDMORE : 0);
            }
        } catch (ZMQException | IllegalStateException e) {
            LOG.debug("cannot send {} on {}: {}", m.type(), name, e.toString());
        }
    }
}
