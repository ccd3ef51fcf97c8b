#!/usr/bin/env python3
"""pyxform's side of benches/pyxform: convert() every XLSForm given, in one process.

    time_pyxform.py [--runs N] [--json OUT] FORM.xlsx ...

The same protocol as the shared kit's `bench.py batch`: import once, then whole passes of
pyxform.xls2xform.convert(xlsform=path, validate=False) over every form (reading the .xlsx is
part of it, as reading the YAML is part of blankett's figure); one warm-up pass, then the median
of N passes. Also the compile-only figure from workbooks parsed beforehand (openpyxl excluded).
"""

import argparse
import json
import statistics
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json")
    ap.add_argument("forms", nargs="+")
    a = ap.parse_args()
    t = time.perf_counter()
    from pyxform.builder import create_survey_element_from_dict
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform
    from pyxform.xls2xform import convert
    import pyxform
    import_s = time.perf_counter() - t
    n = len(a.forms)

    def one_pass():
        out = 0
        for p in a.forms:
            out += len(convert(xlsform=p, validate=False, pretty_print=False, warnings=[]).xform)
        return out

    xform_bytes = one_pass()  # warm-up
    passes, cpu = [], []
    for _ in range(a.runs):
        t, c = time.perf_counter(), time.process_time()
        one_pass()
        passes.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    med = statistics.median(passes)
    cmed_cpu = statistics.median(cpu)
    print(f"pyxform {getattr(pyxform, '__version__', '?')}: {n} forms, import {import_s * 1e3:.0f} ms, "
          f"{xform_bytes / n / 1e3:.0f} kB XForm per form")
    print(f"convert() per pass: {', '.join(f'{p:.2f}' for p in passes)} s")
    print(f"convert() (read xlsx + compile + XForm)  {med * 1e3:9.1f} ms  {n / med:7.1f} forms/s  "
          f"{med * 1e3 / n:6.2f} ms/form  (median of {a.runs}; on-CPU {n / cmed_cpu:.1f} forms/s)")

    wbs = [get_xlsform(xlsform=p) for p in a.forms]
    import gc
    gc.collect()
    gc.freeze()
    compile_only = []
    for _ in range(a.runs):
        t = time.perf_counter()
        for wb in wbs:
            w = []
            js = workbook_to_json(workbook_dict=wb, form_name=None,
                                  fallback_form_name=wb.fallback_form_name, warnings=w)
            create_survey_element_from_dict(js).to_xml(validate=False, pretty_print=False, warnings=w)
        compile_only.append(time.perf_counter() - t)
    cmed = statistics.median(compile_only)
    print(f"compile only (workbooks parsed before)   {cmed * 1e3:9.1f} ms  {n / cmed:7.1f} forms/s  "
          f"{cmed * 1e3 / n:6.2f} ms/form")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"forms": n, "convert_forms_per_s": n / med, "convert_passes_s": passes,
                       "convert_forms_per_cpu_s": n / cmed_cpu,
                       "compile_only_forms_per_s": n / cmed, "import_s": import_s}, f)


if __name__ == "__main__":
    main()
