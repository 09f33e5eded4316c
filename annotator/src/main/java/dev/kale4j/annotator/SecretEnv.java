package dev.kale4j.annotator;

/** {@code secret:<name>:<key>:<ENV_VAR>}: a Kubernetes secret key exposed to the step as an environment variable. */
public record SecretEnv(String secretName, String key, String envVar) {
}
