"""JUnit XML as CI systems show it: each case named by its requirement id."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

from conformance.files import write_atomic
from conformance.results import Result, Verdict, counted_as, summary
from conformance.spec import catalog
from conformance.wire.scrub import RUN_SECRETS


def name_junit_cases(path: Path) -> None:
    """Name every JUnit test case after its requirement id, the class after vendor and category.

    CI systems show these names; pytest's own (``test_requirement[alibaba:ALI-PAGE-001]``) would
    bury the id. The category and the quote are already properties of each case.
    """
    tree = ElementTree.parse(path)
    for case in tree.getroot().iter("testcase"):
        properties = {p.get("name"): p.get("value") for p in case.iter("property")}
        if "requirement" in properties:
            case.set("name", str(properties["requirement"]))
            case.set("classname", f"conformance.{properties.get('vendor')}.{properties.get('category')}")
    write_atomic(path, RUN_SECRETS.scrub(ElementTree.tostring(tree.getroot(), encoding="unicode", xml_declaration=True)))


def mark_junit(path: Path, verdict: Verdict, results: list[Result]) -> None:
    """Make the JUnit file say what the console, JSON and HTML say.

    The suite gets the verdict and the counts as properties; observed, inconclusive and skipped
    cases are ``<skipped>`` with their kind as ``type`` (never a bare pass); a requirement that never
    ran is a ``<skipped type="not-run">`` case; a run that did not finish or did not decide
    everything gets one ``<error>`` case named ``verdict`` carrying the verdict line, so a CI
    system that reads only JUnit does not show it green.
    """
    tree = ElementTree.parse(path)
    root = tree.getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    if suite is None:
        return
    outcomes = {f"{r.vendor}:{r.requirement}": counted_as(r) for r in results}
    for case in suite.iter("testcase"):
        properties = {p.get("name"): p.get("value") for p in case.iter("property")}
        kind = outcomes.get(f"{properties.get('vendor')}:{properties.get('requirement')}")
        skipped = case.find("skipped")
        if skipped is not None and kind in ("observed", "inconclusive", "skipped"):
            skipped.set("type", kind)
    counts = summary(results)
    props = suite.find("properties")
    if props is None:
        props = ElementTree.Element("properties")
        suite.insert(0, props)
    facts = {"verdict": verdict.line, "exit_code": str(int(verdict.code)), "complete": str(verdict.complete).lower(),
             **{f"count.{k}": str(v) for k, v in counts.items()}, "count.not_run": str(len(verdict.not_run)),
             # the revision of each vendor's document the run judged against (--document-revision)
             "document_revision": ", ".join(f"{vendor} {catalog.revision_of(vendor) or 'seed'}"
                                            for vendor in dict.fromkeys(r.vendor for r in results))}
    for name, value in facts.items():
        ElementTree.SubElement(props, "property", name=name, value=value)
    for name in verdict.not_run:
        vendor, _, requirement = name.partition(":")
        case = ElementTree.SubElement(suite, "testcase", name=requirement, classname=f"conformance.{vendor}",
                                      time="0")
        ElementTree.SubElement(case, "skipped", type="not-run",
                               message=f"not run: the run ended ({verdict.line}) before it got here")
    if (verdict.code != 0 and not verdict.failed) or not verdict.complete:
        case = ElementTree.SubElement(suite, "testcase", name="verdict", classname="conformance.run", time="0")
        error = ElementTree.SubElement(case, "error", message=f"{verdict.line} (exit {int(verdict.code)})")
        error.text = "\n".join(verdict.explain())
    suite.set("tests", str(sum(1 for _ in suite.iter("testcase"))))
    suite.set("skipped", str(sum(1 for c in suite.iter("testcase") if c.find("skipped") is not None)))
    suite.set("errors", str(sum(1 for c in suite.iter("testcase") if c.find("error") is not None)))
    write_atomic(path, RUN_SECRETS.scrub(ElementTree.tostring(root, encoding="unicode", xml_declaration=True)))


def not_run_junit(path: Path, line: str, reason: str, code: int) -> None:
    """A JUnit file for a run that did not start: one error case saying why."""
    suite = ElementTree.Element("testsuite", name="conformance", tests="1", errors="1", failures="0", skipped="0")
    props = ElementTree.SubElement(suite, "properties")
    for name, value in (("verdict", line), ("exit_code", str(code)), ("complete", "false")):
        ElementTree.SubElement(props, "property", name=name, value=value)
    case = ElementTree.SubElement(suite, "testcase", name="verdict", classname="conformance.run", time="0")
    ElementTree.SubElement(case, "error", message=f"{line}: {reason}").text = reason
    root = ElementTree.Element("testsuites")
    root.append(suite)
    write_atomic(path, RUN_SECRETS.scrub(ElementTree.tostring(root, encoding="unicode", xml_declaration=True)))


def add_case(suite: ElementTree.Element, r: Result, name: str, classname: str) -> ElementTree.Element:
    """One result's test case, as :func:`mark_junit` leaves them: a failure, a typed skip, or a pass."""
    case = ElementTree.SubElement(suite, "testcase", name=name, classname=classname, time=f"{r.duration_s:.3f}")
    props = ElementTree.SubElement(case, "properties")
    for prop in ("requirement", "vendor", "category", "quote", "outcome"):
        ElementTree.SubElement(props, "property", name=prop, value=str(getattr(r, prop)))
    kind = counted_as(r)
    if kind == "failed":
        ElementTree.SubElement(case, "failure", message=r.message[:300]).text = "\n".join(r.explain())
    elif kind in ("observed", "inconclusive", "skipped"):
        ElementTree.SubElement(case, "skipped", type=kind, message=r.message[:300])
    return case


def parity_junit(path: Path, results: dict[str, list[Result]], verdict: Verdict, differences: list[str]) -> None:
    """The JUnit file of a parity run: a case per target and requirement (``ID [target]``), one per gated difference.

    Names stay unique across targets; the class says target, vendor and category. A run that is not
    ``CONFORMS`` or ``FAILS``, or did not finish, has the ``verdict`` error case, as a single run does.
    """
    suite = ElementTree.Element("testsuite", name="conformance-parity")
    for target, chosen in results.items():
        for r in chosen:
            add_case(suite, r, f"{r.requirement} [{target}]", f"conformance.{target}.{r.vendor}.{r.category}")
    for line in differences:
        case = ElementTree.SubElement(suite, "testcase", name=f"parity: {line}", classname="conformance.parity",
                                      time="0")
        ElementTree.SubElement(case, "failure", message=line).text = line
    props = ElementTree.Element("properties")
    suite.insert(0, props)
    revisions = ", ".join(f"{vendor} {catalog.revision_of(vendor) or 'seed'}"
                          for vendor in sorted({r.vendor for chosen in results.values() for r in chosen}))
    for name, value in (("verdict", verdict.line), ("exit_code", str(int(verdict.code))),
                        ("complete", str(verdict.complete).lower()), ("document_revision", revisions)):
        ElementTree.SubElement(props, "property", name=name, value=value)
    if (verdict.code != 0 and not verdict.failed) or not verdict.complete:
        case = ElementTree.SubElement(suite, "testcase", name="verdict", classname="conformance.run", time="0")
        ElementTree.SubElement(case, "error", message=f"{verdict.line} (exit {int(verdict.code)})").text = \
            "\n".join(verdict.explain())
    for attribute, child in (("failures", "failure"), ("skipped", "skipped"), ("errors", "error")):
        suite.set(attribute, str(sum(1 for c in suite.iter("testcase") if c.find(child) is not None)))
    suite.set("tests", str(sum(1 for _ in suite.iter("testcase"))))
    root = ElementTree.Element("testsuites")
    root.append(suite)
    write_atomic(path, RUN_SECRETS.scrub(ElementTree.tostring(root, encoding="unicode", xml_declaration=True)))


def results_junit(path: Path, results: list[Result], verdict: Verdict) -> None:
    """A JUnit file written from the results alone, for a run whose pytest JUnit file cannot be trusted.

    When conformance breaks after the checks (a report hook), pytest's JUnit writer may not have run,
    or may have written a green file. This one has a case per result as :func:`mark_junit` leaves
    them, the not-run cases, and the ``verdict`` error case carrying ``INTERNAL ERROR``.
    """
    suite = ElementTree.Element("testsuite", name="conformance")
    for r in results:
        add_case(suite, r, r.requirement, f"conformance.{r.vendor}.{r.category}")
    suite.set("failures", str(sum(1 for c in suite.iter("testcase") if c.find("failure") is not None)))
    root = ElementTree.Element("testsuites")
    root.append(suite)
    write_atomic(path, RUN_SECRETS.scrub(ElementTree.tostring(root, encoding="unicode", xml_declaration=True)))
    mark_junit(path, verdict, results)
