package dev.kale4j.snapshot.store;

import java.util.Map;

/**
 * Where and how to reach an S3-compatible store. {@link #fromEnvironment()} reads the variables the AWS CLI
 * uses: {@code AWS_ENDPOINT_URL_S3} or {@code AWS_ENDPOINT_URL} (for MinIO, s3proxy, Ceph...; default AWS),
 * {@code AWS_REGION} or {@code AWS_DEFAULT_REGION} (default us-east-1), {@code AWS_ACCESS_KEY_ID},
 * {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_SESSION_TOKEN}.
 */
public record S3Settings(String endpoint, String region, String accessKey, String secretKey, String sessionToken) {

    public static S3Settings fromEnvironment() {
        return from(System.getenv());
    }

    static S3Settings from(Map<String, String> env) {
        String endpoint = first(env.get("AWS_ENDPOINT_URL_S3"), env.get("AWS_ENDPOINT_URL"));
        String region = first(env.get("AWS_REGION"), env.get("AWS_DEFAULT_REGION"), "us-east-1");
        return new S3Settings(endpoint, region, env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY"),
                env.get("AWS_SESSION_TOKEN"));
    }

    /** These settings with any non-null argument replacing the current value (command-line flags). */
    public S3Settings override(String endpoint, String region, String accessKey, String secretKey) {
        return new S3Settings(first(endpoint, this.endpoint), first(region, this.region),
                first(accessKey, this.accessKey), first(secretKey, this.secretKey), sessionToken);
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        // Never print secrets.
        return "S3Settings[endpoint=" + endpoint + ", region=" + region + ", accessKey=" + accessKey + "]";
    }
}
