package dev.kale4j.kernel.cli;

import dev.kale4j.kernel.install.KernelSpecInstaller;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kale4j install}: the Jupyter kernelspec "Java (kale4j)". */
@Command(name = "install", mixinStandardHelpOptions = true,
        description = "Install the kale4j Jupyter kernel (kernelspec 'kale4j', display name 'Java (kale4j)').")
public final class InstallCommand implements Callable<Integer> {

    static final class Where {
        @Option(names = "--user", description = "Install for the current user (the default): $JUPYTER_DATA_DIR, else "
                + "$XDG_DATA_HOME/jupyter, else ~/.local/share/jupyter.")
        boolean user;

        @Option(names = "--sys-prefix", description = "Install into the active Python environment (virtualenv/conda).")
        boolean sysPrefix;

        @Option(names = "--prefix", paramLabel = "DIR", description = "Install into DIR/share/jupyter/kernels.")
        Path prefix;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Where where = new Where();

    @Option(names = "--no-cds", description = "Skip the AppCDS archive (faster install, slower kernel start).")
    boolean noCds;

    /** $HOME, as Jupyter reads it; the JVM's user.home comes from the password database instead. */
    private static Path home() {
        String home = System.getenv("HOME");
        return Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"));
    }

    /** Runs the installer without the full CLI (development and tests). */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new InstallCommand()).execute(args));
    }

    @Override
    public Integer call() {
        KernelSpecInstaller.Target target = where.prefix != null ? KernelSpecInstaller.Target.prefix(where.prefix)
                : where.sysPrefix ? KernelSpecInstaller.Target.prefix(KernelSpecInstaller.sysPrefix())
                : KernelSpecInstaller.Target.user(System.getenv(), home());
        KernelSpecInstaller.Installed done = KernelSpecInstaller.install(target, KernelSpecInstaller.currentClasspath(),
                !noCds);
        System.out.println("Installed kernelspec kale4j in " + done.kernelDir());
        System.out.println("Kernel jars in " + done.libDir());
        System.out.println(done.labExtension() != null ? "JupyterLab extension in " + done.labExtension()
                : "JupyterLab extension not installed (not built: run jupyterlab-ext/build.sh, then install again)");
        return 0;
    }
}
