package dev.kale4j.runner;

import java.nio.file.Path;
import java.util.Map;

/**
 * Versions the run's workspace; the CLI plugs in the snapshot agent. Returns the snapshot id.
 * Failures should throw: a run that promised snapshots and cannot take them must say so.
 */
@FunctionalInterface
public interface WorkspaceSnapshots {
    String snapshot(Path workspace, Map<String, String> tags);
}
