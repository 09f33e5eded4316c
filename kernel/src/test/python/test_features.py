"""Java features through a real client: method chains, magics, completion, inspection."""
import json
import os
import pathlib

import pytest

from conftest import Kernel


def test_leading_dot_continues_a_method_chain(kernel):
    code = "var evens = List.of(1, 2, 3, 4)\n    .stream()\n    .filter(x -> x % 2 == 0)\n    .toList()\nevens"
    assert kernel.value(code) == "[2, 4]"


def test_statements_without_semicolons_on_separate_lines(kernel):
    assert kernel.value("var a = 20\nvar b = 22\na + b") == "42"


def test_default_imports_match_jshell(kernel):
    assert kernel.value("new BigDecimal(\"1.5\").add(BigDecimal.ONE)") == "2.5"
    assert kernel.value("Pattern.compile(\"a+\").matcher(\"caaat\").find()") == "true"
    assert kernel.value("Paths.get(\"a\").resolve(\"b\").toString()") == '"a/b"'


def test_error_traceback_points_at_cell_line(kernel):
    reply, outs = kernel.run("int ok = 1;\n\nObject o = null;\no.toString();")
    assert reply["status"] == "error"
    assert reply["ename"] == "java.lang.NullPointerException"
    assert any("line 4" in line for line in reply["traceback"]), reply["traceback"]
    reply, _ = kernel.run("int fine = 1;\nString s = 42;")
    assert reply["ename"] == "CompilationException"
    assert "cell line 2" in reply["evalue"]


def test_time_magics(kernel):
    assert "Wall time:" in kernel.stdout("%time Thread.sleep(20)")
    assert "Wall time:" in kernel.stdout("%%time\nint t = 1;\nt++;")


def test_maven_magic_offline_from_local_repository(kernel):
    # picocli is in the local repository (the build uses it); offline mode must find it there.
    reply, outs = kernel.run("%maven info.picocli:picocli:4.7.6")
    assert reply["status"] == "ok", reply
    out = "".join(c.get("text", "") for t, c in outs if t == "stream")
    assert "picocli-4.7.6.jar" in out, outs
    assert kernel.value("picocli.CommandLine.class.getSimpleName()") == '"CommandLine"'


def test_classpath_and_load_magics(kernel, tmp_path):
    jsh = tmp_path / "helpers.jsh"
    jsh.write_text("int triple(int x) { return 3 * x; }\n")
    assert kernel.run("%load " + str(jsh))[0]["status"] == "ok"
    assert kernel.value("triple(14)") == "42"
    nb = tmp_path / "other.ipynb"
    nb.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# x"]},
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
         "source": ["String fromNotebook = \"nb\";\n", "fromNotebook.length()"]}]}))
    assert kernel.run("%load " + str(nb))[0]["status"] == "ok"
    assert kernel.value("fromNotebook") == '"nb"'
    classes = tmp_path / "classes"
    (classes / "demo").mkdir(parents=True)
    src = tmp_path / "Greeter.java"
    src.write_text("package demo; public class Greeter { public static String hi() { return \"hi\"; } }")
    os.system("javac -d %s %s" % (classes, src))
    assert kernel.run("%classpath " + str(classes))[0]["status"] == "ok"
    assert kernel.value("demo.Greeter.hi()") == '"hi"'
    assert str(classes) in kernel.stdout("%classpath")


def test_completion_of_members_locals_types_imports(kernel):
    kc = kernel.kc
    kernel.run("String greeting = \"hi\";")

    def matches(code):
        kc.complete(code, len(code))
        reply = kc.get_shell_msg(timeout=30)
        return reply["content"]

    assert "length()" in matches("greeting.len")["matches"]
    assert "greeting" in matches("greet")["matches"]
    assert "ArrayList" in matches("ArrayLi")["matches"]
    assert "concurrent." in matches("import java.util.concu")["matches"]
    r = matches("int z = 1;\ngreeting.toUpp")
    assert "toUpperCase(" in r["matches"]
    assert r["cursor_start"] == len("int z = 1;\ngreeting.")
    assert "%maven" in matches("%mav")["matches"]


def inspect(kernel, code):
    kernel.kc.inspect(code, len(code))
    reply = kernel.kc.get_shell_msg(timeout=60)["content"]
    assert reply["status"] == "ok", reply
    assert reply["found"], reply
    return reply["data"]


def test_inspection_shows_signature_and_javadoc(kernel):
    # The JDK's Javadoc comes from its src.zip (scripts/test.d/kernel.sh makes sure there is one).
    data = inspect(kernel, "String.valueOf")
    text = data["text/plain"]
    assert "String String.valueOf(Object obj)" in text
    assert "Returns the string representation of the Object argument." in text
    assert "Parameters:" in text
    html = data["text/html"]
    assert "Returns the string representation of the <code>Object</code> argument." in html
    data = inspect(kernel, "java.util.List")
    assert "java.util.List<E>" in data["text/plain"]
    assert "An ordered collection (also known as a sequence)." in data["text/plain"]
    assert "An ordered collection (also known as a <i>sequence</i>)." in data["text/html"]


def test_inspection_of_a_session_variable(kernel):
    kernel.run("int inspectMe = 41 + 1;")
    data = inspect(kernel, "inspectMe")
    assert "int inspectMe = 42" in data["text/plain"]


def test_is_complete_open_block(kernel):
    kc = kernel.kc
    kc.is_complete("if (true) {\n  int q = 1;")
    reply = kc.get_shell_msg(timeout=30)["content"]
    assert reply["status"] == "incomplete"


def test_silent_and_store_history(kernel):
    kc = kernel.kc
    before = kernel.run("1")[0]["execution_count"]
    reply, outs = kernel.run("2 + 2", silent=True)
    assert outs == []
    after = kernel.run("1")[0]["execution_count"]
    assert after == before + 1


def test_user_expressions(kernel):
    kernel.run("int ux = 41;")
    reply, _ = kernel.run("ux++;", user_expressions={"next": "ux + 1"})
    assert reply["user_expressions"]["next"]["status"] == "ok"
    assert reply["user_expressions"]["next"]["data"]["text/plain"] == "43"


def test_stop_on_error_aborts_queued_cells(kernel):
    kc = kernel.kc
    # The first cell runs long enough for the second request to be queued behind it (a cell that
    # fails in a few milliseconds can be done before the second request has even arrived).
    first = kc.execute('Thread.sleep(300);\nthrow new RuntimeException("stop");')
    second = kc.execute("int notRun = 1;")
    replies = {}
    while len(replies) < 2:
        m = kc.get_shell_msg(timeout=30)
        replies[m["parent_header"]["msg_id"]] = m["content"]["status"]
    assert replies[first] == "error"
    assert replies[second] == "aborted"
