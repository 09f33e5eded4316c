package dev.kale4j.kernel;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kale4j.kernel.comm.CommManager;
import dev.kale4j.kernel.engine.JavaEngine;
import dev.kale4j.kernel.magics.CellRunner;

/** Wires the optional features (pipeline awareness, the kale4j comm target) into a kernel. */
final class KernelExtensions {
    private KernelExtensions() {
    }

    static void install(Kernel kernel, JavaEngine engine, CellRunner cells, CommManager comms, ObjectMapper json) {
        dev.kale4j.kernel.pipeline.PipelineSupport.install(kernel, engine, cells, comms, json);
    }
}
