package dev.kale4j.kernel.cli;

import dev.kale4j.kernel.KernelMain;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code kale4j kernel CONNECTION_FILE}: runs the kernel (what Jupyter starts; hidden). */
@Command(name = "kernel", hidden = true, description = "Run the Jupyter kernel for a connection file.")
public final class KernelCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CONNECTION_FILE")
    Path connectionFile;

    @Override
    public Integer call() throws Exception {
        KernelMain.run(connectionFile);
        return 0;
    }
}
