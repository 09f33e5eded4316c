package dev.kale4j.kernel.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kale4j.kernel.Kernel;
import dev.kale4j.kernel.comm.Comm;
import dev.kale4j.kernel.comm.CommManager;
import dev.kale4j.kernel.comm.CommTarget;
import dev.kale4j.kernel.engine.JavaEngine;
import dev.kale4j.kernel.magics.CellRunner;

/** Pipeline awareness: cell tracking, %pipeline and the "kale4j" comm target. */
public final class PipelineSupport {
    public static final String COMM_TARGET = "kale4j";

    private PipelineSupport() {
    }

    public static void install(Kernel kernel, JavaEngine engine, CellRunner cells, CommManager comms, ObjectMapper json) {
        comms.register(COMM_TARGET, new CommTarget() {
            @Override
            public void received(Comm comm, ObjectNode data) {
                ObjectNode reply = json.createObjectNode();
                String action = data.path("action").asText("");
                reply.put("action", action);
                reply.put("request_id", data.path("request_id").asText(""));
                if (action.equals("ping")) {
                    reply.put("ok", true);
                } else {
                    reply.put("ok", false).put("error", "unknown action '" + action + "'");
                }
                comm.send(kernel.current(), reply);
            }
        });
    }
}
