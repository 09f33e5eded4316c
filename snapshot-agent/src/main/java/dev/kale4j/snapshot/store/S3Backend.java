package dev.kale4j.snapshot.store;

import dev.kale4j.common.UserError;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A repository in an S3-compatible bucket, spoken to with the JDK's HTTP client and our own SigV4 signing
 * (path-style addressing, which MinIO, s3proxy, Ceph and AWS all accept). A PUT of a whole object is atomic in
 * S3, which is all the repository needs; there are no temporary objects.
 */
public final class S3Backend implements Backend {
    private static final int ATTEMPTS = 4;

    private final HttpClient http;
    private final URI endpoint;
    private final String bucket;
    private final String prefix;
    private final S3Settings settings;

    private S3Backend(URI endpoint, String bucket, String prefix, S3Settings settings) {
        this.endpoint = endpoint;
        this.bucket = bucket;
        this.prefix = prefix;
        this.settings = settings;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** Parses {@code s3://bucket[/prefix]}; fails with a {@link UserError} when settings are incomplete. */
    public static S3Backend open(String uri, S3Settings s) {
        String rest = uri.substring("s3://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("^/+|/+$", "");
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new UserError("'" + bucket + "' in " + uri + " is not a valid S3 bucket name");
        }
        if (s.accessKey() == null || s.secretKey() == null) {
            throw new UserError("no S3 credentials for " + uri + "; set AWS_ACCESS_KEY_ID and "
                    + "AWS_SECRET_ACCESS_KEY (or pass --s3-access-key/--s3-secret-key)");
        }
        String ep = s.endpoint() != null ? s.endpoint() : "https://s3." + s.region() + ".amazonaws.com";
        URI endpoint;
        try {
            endpoint = URI.create(ep.replaceAll("/+$", ""));
        } catch (IllegalArgumentException e) {
            throw new UserError("S3 endpoint '" + ep + "' is not a URL (set AWS_ENDPOINT_URL to e.g. "
                    + "http://127.0.0.1:9000)");
        }
        if (endpoint.getHost() == null || !(endpoint.getScheme().equals("http") || endpoint.getScheme().equals("https"))) {
            throw new UserError("S3 endpoint '" + ep + "' must be an http:// or https:// URL");
        }
        return new S3Backend(endpoint, bucket, prefix, s);
    }

    @Override
    public String location() {
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }

    private String objectName(String key) {
        return prefix.isEmpty() ? key : prefix + "/" + key;
    }

    @Override
    public boolean exists(String key) throws IOException {
        HttpResponse<byte[]> r = send("HEAD", objectName(key), Map.of(), null, Map.of());
        if (r.statusCode() == 404) {
            return false;
        }
        check(r, key);
        return true;
    }

    @Override
    public byte[] get(String key) throws IOException {
        HttpResponse<byte[]> r = send("GET", objectName(key), Map.of(), null, Map.of());
        check(r, key);
        return r.body();
    }

    @Override
    public byte[] getRange(String key, long offset, int length) throws IOException {
        if (length == 0) {
            return new byte[0];
        }
        HttpResponse<byte[]> r = send("GET", objectName(key), Map.of(), null,
                Map.of("Range", "bytes=" + offset + "-" + (offset + length - 1)));
        if (r.statusCode() == 416) {
            throw new EOFException(location() + "/" + key + " is shorter than " + (offset + length) + " bytes");
        }
        check(r, key);
        byte[] body = r.body();
        if (r.statusCode() == 200 && body.length >= offset + length) {
            // A server that ignores Range sends the whole object.
            return java.util.Arrays.copyOfRange(body, (int) offset, (int) offset + length);
        }
        if (body.length != length) {
            throw new EOFException(location() + "/" + key + " is shorter than " + (offset + length) + " bytes");
        }
        return body;
    }

    @Override
    public void put(String key, byte[] data, int length) throws IOException {
        byte[] body = length == data.length ? data : java.util.Arrays.copyOf(data, length);
        check(send("PUT", objectName(key), Map.of(), body, Map.of()), key);
    }

    @Override
    public void delete(String key) throws IOException {
        HttpResponse<byte[]> r = send("DELETE", objectName(key), Map.of(), null, Map.of());
        if (r.statusCode() != 404) {
            check(r, key);
        }
    }

    @Override
    public List<ObjectInfo> list(String dir) throws IOException {
        List<ObjectInfo> out = new ArrayList<>();
        String listPrefix = objectName(dir) + "/";
        String token = null;
        do {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("list-type", "2");
            q.put("prefix", listPrefix);
            if (token != null) {
                q.put("continuation-token", token);
            }
            HttpResponse<byte[]> r = send("GET", "", q, null, Map.of());
            check(r, dir + "/");
            Document doc = parse(r.body());
            NodeList contents = doc.getElementsByTagName("Contents");
            for (int i = 0; i < contents.getLength(); i++) {
                Element c = (Element) contents.item(i);
                String k = text(c, "Key");
                if (k.endsWith("/")) {
                    continue; // a "directory" marker some stores (and consoles) create
                }
                long size = Long.parseLong(text(c, "Size"));
                String rel = prefix.isEmpty() ? k : k.substring(prefix.length() + 1);
                out.add(new ObjectInfo(rel, size));
            }
            token = "true".equals(text(doc.getDocumentElement(), "IsTruncated"))
                    ? text(doc.getDocumentElement(), "NextContinuationToken") : null;
        } while (token != null);
        return out;
    }

    private static String text(Element parent, String tag) {
        NodeList n = parent.getElementsByTagName(tag);
        return n.getLength() == 0 ? null : n.item(0).getTextContent();
    }

    private static Document parse(byte[] xml) throws IOException {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml));
        } catch (Exception e) {
            throw new IOException("unreadable S3 listing: " + e.getMessage(), e);
        }
    }

    private void check(HttpResponse<byte[]> r, String key) throws IOException {
        int code = r.statusCode();
        if (code >= 200 && code < 300) {
            return;
        }
        String body = new String(r.body() == null ? new byte[0] : r.body(), StandardCharsets.UTF_8);
        if (body.contains("<Code>NoSuchBucket</Code>")) {
            throw new UserError("S3 bucket '" + bucket + "' does not exist at " + endpoint + "; create it first "
                    + "(for example `aws s3 mb s3://" + bucket + "`)");
        }
        if (code == 404) {
            throw new NoSuchFileException(location() + "/" + key);
        }
        if (code == 403) {
            throw new UserError("S3 refused access to " + location() + "/" + key + " (HTTP 403); check "
                    + "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION");
        }
        throw new IOException("S3 " + r.request().method() + " " + location() + "/" + key + " failed: HTTP "
                + code + " " + body.substring(0, Math.min(300, body.length())));
    }

    private HttpResponse<byte[]> send(String method, String object, Map<String, String> query, byte[] body,
                                      Map<String, String> unsignedHeaders) throws IOException {
        String path = "/" + bucket + (object.isEmpty() ? "" : "/" + SigV4.encodePath(object));
        String qs = SigV4.canonicalQuery(query);
        URI uri = URI.create(endpoint + path + (qs.isEmpty() ? "" : "?" + qs));
        String host = endpoint.getPort() < 0 ? endpoint.getHost() : endpoint.getHost() + ":" + endpoint.getPort();
        String payloadHash = SigV4.hex(SigV4.sha256(body == null ? new byte[0] : body));
        IOException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Map<String, String> signed = SigV4.sign(method, host, path, query, Map.of(), payloadHash, settings,
                    ZonedDateTime.now());
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(2));
            signed.forEach(b::header);
            unsignedHeaders.forEach(b::header);
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
            try {
                HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() >= 500 && attempt < ATTEMPTS) {
                    last = new IOException("HTTP " + r.statusCode());
                } else {
                    return r;
                }
            } catch (ConnectException e) {
                last = new IOException("cannot reach the S3 endpoint " + endpoint + " (" + e + "); check "
                        + "AWS_ENDPOINT_URL and that the server is running", e);
            } catch (IOException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            try {
                Thread.sleep(100L << attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        throw last;
    }
}
