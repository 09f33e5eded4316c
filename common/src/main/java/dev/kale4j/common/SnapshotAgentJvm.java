package dev.kale4j.common;

import java.util.List;

/**
 * JVM options for a snapshot agent process (the standalone jar in a step container, the step wrapper's agent,
 * the benchmark). {@code main} prints them space-separated, for scripts (none contains a space; two contain a
 * {@code *}, so split without globbing): {@code read -r -a OPTS <<< "$(java -cp AGENT_JAR
 * dev.kale4j.common.SnapshotAgentJvm)"; java "${OPTS[@]}" -jar AGENT_JAR create ...}.
 *
 * <p>An agent run is short and its CPU goes to a few hot loops: SHA-256 (a HotSpot intrinsic that only C2 code
 * uses), FastCDC, and zstd (native). With the default thresholds C2 also compiled ~150 methods of glue (hash
 * maps, queues, futures, JSON) that run once per chunk: 0.74 CPU-s of a 1 GiB snapshot's ~4 CPU-s, on a machine
 * with two cores. Here C2 starts ten times later for everything (the glue stays in C1 code), except FastCDC,
 * whose thresholds are scaled by 0.05 (half the defaults), and the two methods that C2 replaces with the CPU's
 * SHA-256 instructions, scaled by 0.0001: the agent's start-up thread hashes a block twenty times, so they are
 * C2 code before the first chunk is hashed. (Scaling all of {@code sun/security/provider} instead made C2
 * compile the Java SHA-256 code that the intrinsic replaces: 60 ms of a 256 MiB snapshot's 0.12 s of C2 time.)
 * Measured in bench/RESULTS.md (snapshot, runs 8 and 9): compiler time per 1 GiB snapshot 1.0 -> 0.4 CPU-s; a
 * tiny snapshot is unchanged. ParallelGC is the throughput collector; a snapshot's buffers are pooled or
 * short-lived.
 */
public final class SnapshotAgentJvm {
    public static final List<String> OPTIONS = List.of(
            "-XX:+UseParallelGC",
            "-XX:Tier4InvocationThreshold=50000",
            "-XX:Tier4MinInvocationThreshold=6000",
            "-XX:Tier4CompileThreshold=150000",
            "-XX:Tier4BackEdgeThreshold=400000",
            "-XX:CompileCommand=quiet",
            "-XX:CompileCommand=CompileThresholdScaling,dev/kale4j/snapshot/chunking/*.*,0.05",
            "-XX:CompileCommand=CompileThresholdScaling,sun/security/provider/DigestBase.implCompressMultiBlock0,0.0001",
            "-XX:CompileCommand=CompileThresholdScaling,sun/security/provider/SHA2.implCompress,0.0001");

    private SnapshotAgentJvm() {
    }

    public static void main(String[] args) {
        System.out.println(String.join(" ", OPTIONS));
    }
}
