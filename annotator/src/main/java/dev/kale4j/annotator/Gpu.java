package dev.kale4j.annotator;

/** A GPU request from {@code gpu:<count>[:<vendor>]}. */
public record Gpu(int count, String vendor) {
    /** The Kubernetes extended resource name for this vendor. */
    public String resourceName() {
        return "amd".equals(vendor) ? "amd.com/gpu" : "nvidia.com/gpu";
    }
}
