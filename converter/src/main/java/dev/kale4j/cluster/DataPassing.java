package dev.kale4j.cluster;

import dev.kale4j.common.UserError;
import java.util.Locale;

/** How step outputs reach downstream steps on a cluster. */
public enum DataPassing {
    /** Engine artifacts in the cluster's (S3-compatible) artifact repository: no shared volume needed. */
    ARTIFACTS,
    /** A workspace PVC mounted by every step; with ReadWriteOnce the steps are pinned to one node. */
    VOLUME;

    public static DataPassing parse(String text, String where) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UserError(where + ": data passing must be \"artifacts\" or \"volume\", not \"" + text + "\"");
        }
    }
}
