package dev.kale4j.cluster;

/**
 * Paths inside a step container. {@code ${RUN}} in a path is replaced by the step wrapper with the run's id
 * (the engine knows it only at run time), so runs sharing an existing PVC do not overwrite each other.
 */
public final class ContainerPaths {
    /** Where the kale4j jars are in the step image: {@code java -cp '/opt/kale4j/lib/*'}. */
    public static final String LIB = "/opt/kale4j/lib/*";
    public static final String WORKSPACE = "/workspace";
    public static final String OUTPUTS = "/kale4j/outputs";
    public static final String RUN_TOKEN = "${RUN}";

    private ContainerPaths() {
    }

    /** An upstream artifact as the step sees it. */
    public static String input(DataPassing passing, String producer, String variable) {
        return passing == DataPassing.VOLUME
                ? volumeStepDir(producer) + "/" + variable + ".k4j"
                : "/kale4j/inputs/" + producer + "/" + variable + ".k4j";
    }

    public static String outputDir(DataPassing passing, String step) {
        return passing == DataPassing.VOLUME ? volumeStepDir(step) : OUTPUTS;
    }

    private static String volumeStepDir(String step) {
        return WORKSPACE + "/.kale4j/" + RUN_TOKEN + "/" + step;
    }
}
