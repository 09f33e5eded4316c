package dev.kale4j.runner;

import dev.kale4j.runtime.StepResult;
import dev.kale4j.runtime.StepSpec;
import java.nio.file.Path;
import java.time.Duration;

/** Runs one attempt of a step; one JVM per step, or in this JVM. */
interface StepLauncher {
    /**
     * @param stepDir where spec.json, logs and code go
     * @param timeout {@code null} for none
     * @return the step's result; failures of the JVM itself become failed results
     */
    StepResult launch(StepSpec spec, Path stepDir, Duration timeout) throws InterruptedException;
}
