package dev.kale4j.cluster;

import dev.kale4j.common.Version;

/**
 * Options of a cluster compile that do not come from the notebook.
 *
 * @param defaultImage     image for steps without {@code image:} tag and notebook {@code docker_image}
 * @param dataPassing      overrides the notebook's {@code data_passing}; {@code null} keeps it
 * @param workflowTemplate Argo: write a {@code WorkflowTemplate} instead of a {@code Workflow}
 * @param namespace        namespace written into the manifests; {@code null} leaves it to submission
 */
public record CompileOptions(String defaultImage, DataPassing dataPassing, boolean workflowTemplate, String namespace) {
    /** The step image published with this kale4j version (see deploy/image). */
    public static final String DEFAULT_IMAGE = "ghcr.io/kale4j/kale4j-step:" + Version.get();

    public CompileOptions {
        defaultImage = defaultImage == null || defaultImage.isBlank() ? DEFAULT_IMAGE : defaultImage;
    }

    public static CompileOptions defaults() {
        return new CompileOptions(null, null, false, null);
    }

    public CompileOptions withWorkflowTemplate(boolean template) {
        return new CompileOptions(defaultImage, dataPassing, template, namespace);
    }

    public CompileOptions withDataPassing(DataPassing passing) {
        return new CompileOptions(defaultImage, passing, workflowTemplate, namespace);
    }
}
