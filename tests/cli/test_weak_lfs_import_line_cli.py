"""`labelwise weak`: an LFS file that fails to import is named with the line of the file that failed."""

from __future__ import annotations

from click.testing import CliRunner

from labelwise.cli import main

DATA = "id,text\n1,hello http://x\n2,ok\n"


def _run(tmp_path, source):
    (tmp_path / "lfs.py").write_text(source)
    (tmp_path / "data.csv").write_text(DATA)
    args = ["weak", str(tmp_path / "lfs.py"), str(tmp_path / "data.csv"), "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(main, args)
    return result, " ".join(result.output.split())


class TestImportLine:
    def test_a_missing_module_names_the_import_line(self, tmp_path):
        """`import kb_missing` on line 3: the error names line 3 of lfs.py, and nothing is written."""
        result, out = _run(tmp_path, "from labelwise import weak\n\nimport kb_missing_module_ww48\n")
        assert result.exit_code == 2
        assert "ModuleNotFoundError: No module named 'kb_missing_module_ww48' (line 3 of 'lfs.py')" in out
        assert not (tmp_path / "out").exists()

    def test_a_raising_module_level_call_names_the_raising_line(self, tmp_path):
        """A knowledge base loaded at import that raises in a function: the line inside lfs.py that raised."""
        source = "KB = {}\n\n\ndef load():\n    return KB['spam']\n\n\nWORDS = load()\n"
        result, out = _run(tmp_path, source)
        assert result.exit_code == 2
        assert "KeyError: 'spam' (line 5 of 'lfs.py')" in out

    def test_a_syntax_error_keeps_python_s_file_and_line(self, tmp_path):
        """A SyntaxError already names its file and line: no second line number is added."""
        result, out = _run(tmp_path, "from labelwise import weak\n\ndef f(row)\n    return None\n")
        assert result.exit_code == 2
        assert "SyntaxError: expected ':' (lfs.py, line 3)" in out
        assert "of 'lfs.py')" not in out
