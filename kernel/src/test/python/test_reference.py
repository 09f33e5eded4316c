"""The reference protocol suite (jupyter_kernel_test) against the installed kale4j kernel."""
import jupyter_kernel_test

from conftest import KERNEL_NAME


class Kale4jKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = KERNEL_NAME
    language_name = "java"
    file_extension = ".java"

    code_hello_world = 'System.out.println("hello, world");'
    code_stderr = 'System.err.println("oops");'

    completion_samples = [
        {"text": "Math.flo", "matches": {"floor(", "floorDiv(", "floorMod("}},
        {"text": "String.valueO", "matches": {"valueOf("}},
    ]
    complete_code_samples = ["1 + 1", "int x = 1;", "void f() { }", 'System.out.println("x")']
    incomplete_code_samples = ["for (int i = 0; i < 3; i++) {", "int y = 1 +", "class A {"]
    invalid_code_samples = ["}", ")(", "#"]

    code_page_something = "%doc Math.max"
    code_generate_error = 'throw new IllegalStateException("boom");'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"kale" + 4 + "j"', "result": '"kale4j"'},
        {"code": 'html("<b>bold</b>")', "mime": "text/html", "result": "<b>bold</b>"},
    ]
    code_display_data = [
        {"code": 'display(html("<i>x</i>"));', "mime": "text/html"},
        {"code": 'display(markdown("# Title"));', "mime": "text/markdown"},
        {"code": 'display(svg("<svg xmlns=\'http://www.w3.org/2000/svg\'/>"));', "mime": "image/svg+xml"},
        {"code": 'display(json("{\\"a\\": 1}"));', "mime": "application/json"},
        {"code": "display(new java.awt.image.BufferedImage(4, 4, java.awt.image.BufferedImage.TYPE_INT_RGB));",
         "mime": "image/png"},
    ]
    code_history_pattern = "6 *"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "Math.max"
    code_clear_output = 'System.out.println("before"); clearOutput();'
