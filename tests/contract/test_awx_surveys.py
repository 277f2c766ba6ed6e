# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The AWX job templates as code (playbooks/awx_configure.yml and its data in playbooks/vars/awx/),
checked without an AWX server: every survey spec against AWX's own survey rules, and every survey and
extra variable against the documented variables of the playbooks and roles.

The rules below are written from AWX's survey handling (ansible/awx at e21dd0a0, 2024-10-23):
``JobTemplateSurveySpec._validate_spec_data`` in awx/api/views/__init__.py (what a POST of a survey
spec must satisfy), ``SURVEY_TYPE_MAPPING`` in awx/main/constants.py (question types and the Python type
of their default) and ``SurveyJobTemplateMixin._survey_element_validation`` /
``_update_unified_job_kwargs`` in awx/main/models/mixins.py (a default is applied at launch only when
it passes the launch-time checks)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
AWX_DATA = REPO / "playbooks" / "vars" / "awx"
SURVEYS = sorted((AWX_DATA / "surveys").glob("*.yml"))
FLEETMAN = yaml.safe_load((REPO / "playbooks" / "vars" / "fleetman.yml").read_text())
JOB_TEMPLATES = yaml.safe_load((AWX_DATA / "job_templates.yml").read_text())

# Question type -> the Python type(s) a non-empty default must have (AWX: SURVEY_TYPE_MAPPING).
AWX_TYPES = {"text": str, "textarea": str, "password": str, "multiplechoice": str, "multiselect": str,
             "integer": int, "float": (float, int)}


def _choices(question) -> list[str]:
    choices = question.get("choices", [])
    if isinstance(choices, str):
        return [line for line in choices.splitlines() if line.strip()]
    return list(choices)


def awx_spec_errors(spec) -> list[str]:
    """What AWX would answer with HTTP 400 when this survey spec is POSTed (an empty list: accepted)."""
    if not isinstance(spec, dict):
        return ["the survey spec is not a mapping"]
    errors = []
    for field, kind in (("name", str), ("description", str), ("spec", list)):
        if field not in spec:
            errors.append(f"field {field!r} is missing")
        elif not isinstance(spec[field], kind):
            errors.append(f"field {field!r} must be a {kind.__name__}")
    if isinstance(spec.get("spec"), list) and not spec["spec"]:
        errors.append("'spec' has no questions")
    if errors:
        return errors
    seen = set()
    for idx, question in enumerate(spec["spec"]):
        where = f"question {idx}"
        if not isinstance(question, dict):
            errors.append(f"{where} is not a mapping")
            continue
        missing = [f for f in ("type", "question_name", "variable", "required") if f not in question]
        if missing:
            errors.append(f"{where}: {', '.join(missing)} missing")
            continue
        wrong = [f for f in ("type", "question_name", "variable") if not isinstance(question[f], str)]
        if not isinstance(question["required"], bool):
            wrong.append("required (a boolean)")
        if wrong:
            errors.append(f"{where}: wrong type of {', '.join(wrong)}")
            continue
        if question["variable"] in seen:
            errors.append(f"{where}: variable {question['variable']!r} duplicated")
        seen.add(question["variable"])
        qtype = question["type"]
        if qtype not in AWX_TYPES:
            errors.append(f"{where}: type {qtype!r} is not one of {', '.join(AWX_TYPES)}")
            continue
        default = question.get("default", "")
        if default != "" and not isinstance(default, AWX_TYPES[qtype]):
            errors.append(f"{where}: default {default!r} is not a valid {qtype} default")
        for key in ("min", "max"):
            # bool is an int to Python and to AWX alike; a string such as "5" is refused.
            if question.get(key) is not None and not isinstance(question[key], int):
                errors.append(f"{where}: {key} must be an integer")
        if qtype in ("multiplechoice", "multiselect"):
            if "choices" not in question:
                errors.append(f"{where}: a {qtype} question needs choices")
                continue
            if "default" in question:
                defaults = ([d for d in default.splitlines() if d.strip()] if isinstance(default, str) else default)
                if qtype == "multiplechoice" and len(defaults) > 1:
                    errors.append(f"{where}: a multiplechoice question has one default at most")
                if any(d not in _choices(question) for d in defaults):
                    errors.append(f"{where}: default {default!r} is not among the choices")
        if isinstance(default, str) and default.startswith("$encrypted$"):
            errors.append(f"{where}: $encrypted$ is reserved for password defaults AWX already holds")
    return errors


def awx_answer_errors(question, value) -> list[str]:
    """AWX's launch-time check of one answer (the same check decides whether a default is applied)."""
    qtype, name = question["type"], question["variable"]
    low, high = question.get("min"), question.get("max")
    low = None if low in ("", None) else low
    high = None if high in ("", None) else high
    if qtype in ("text", "textarea", "password"):
        if not isinstance(value, str):
            return [f"{name}: a string is expected"]
        if low is not None and len(value) < int(low):
            return [f"{name}: {value!r} is shorter than {low}"]
        if high is not None and len(value) > int(high):
            return [f"{name}: {value!r} is longer than {high}"]
    elif qtype in ("integer", "float"):
        if type(value) not in ((int,) if qtype == "integer" else (int, float)):
            return [f"{name}: a number is expected"]
        if low is not None and value < low:
            return [f"{name}: {value} is below {low}"]
        if high is not None and value > high:
            return [f"{name}: {value} is above {high}"]
    elif qtype == "multiselect":
        if not isinstance(value, list):
            return [f"{name}: a list is expected"]
        return [f"{name}: {item!r} is not a choice" for item in value if item not in _choices(question)]
    elif qtype == "multiplechoice" and value not in _choices(question):
        return [f"{name}: {value!r} is not a choice"]
    return []


def _survey(path: Path) -> dict:
    return yaml.safe_load(path.read_text())["awx_survey_spec"]


def _argument_specs() -> dict[str, dict]:
    """Every role variable documented in roles/*/meta/argument_specs.yml, with its spec."""
    options = {}
    for path in sorted(REPO.glob("roles/*/meta/argument_specs.yml")):
        for entry in yaml.safe_load(path.read_text())["argument_specs"].values():
            options.update(entry.get("options", {}))
    return options


# --- the validator itself: each AWX rule refuses what AWX refuses -----------------------------

GOOD_QUESTION = {"question_name": "Q", "variable": "v", "type": "text", "required": True, "default": "x"}


@pytest.mark.parametrize("change, message", [
    ({"type": "checkbox"}, "is not one of"),
    ({"required": "yes"}, "wrong type of required"),
    ({"variable": 5}, "wrong type of variable"),
    ({"type": "integer", "default": "3"}, "is not a valid integer default"),
    ({"type": "float", "default": "1.5"}, "is not a valid float default"),
    ({"min": "5"}, "min must be an integer"),
    ({"max": 2.5}, "max must be an integer"),
    ({"type": "multiplechoice"}, "needs choices"),
    ({"type": "multiplechoice", "choices": ["a", "b"], "default": "a\nb"}, "one default at most"),
    ({"type": "multiselect", "choices": "a\nb", "default": "a\nc"}, "not among the choices"),
    ({"default": "$encrypted$"}, "reserved"),
])
def test_validator_refuses_what_awx_refuses(change, message):
    spec = {"name": "n", "description": "d", "spec": [dict(GOOD_QUESTION, **change)]}
    assert awx_spec_errors({"name": "n", "description": "d", "spec": [GOOD_QUESTION]}) == []
    assert any(message in error for error in awx_spec_errors(spec)), awx_spec_errors(spec)


def test_validator_refuses_bad_spec_shapes():
    assert awx_spec_errors({"description": "d", "spec": [GOOD_QUESTION]}) == ["field 'name' is missing"]
    assert awx_spec_errors({"name": "n", "description": "d", "spec": []}) == ["'spec' has no questions"]
    duplicated = {"name": "n", "description": "d", "spec": [GOOD_QUESTION, GOOD_QUESTION]}
    assert awx_spec_errors(duplicated) == ["question 1: variable 'v' duplicated"]
    missing = {"name": "n", "description": "d", "spec": [{"variable": "v", "type": "text"}]}
    assert awx_spec_errors(missing) == ["question 0: question_name, required missing"]


# --- the surveys of the job templates ----------------------------------------------------------

def test_every_job_template_and_the_workflow_have_a_survey_file():
    templates = {t["name"]: t for t in JOB_TEMPLATES["awx_job_templates"]}
    assert set(templates) == {"build", "validate", "inspect", "self-heal", "teardown"}
    used = {t["survey"] for t in templates.values()} | {JOB_TEMPLATES["awx_workflow"]["survey"]}
    assert used == {path.stem for path in SURVEYS}, "a survey file nobody uses, or a missing one"
    for template in templates.values():
        assert (REPO / template["playbook"]).is_file(), template["playbook"]
    # The workflow: build -> validate -> inspect, each a job template above.
    assert JOB_TEMPLATES["awx_workflow"]["nodes"] == ["build", "validate", "inspect"]


@pytest.mark.parametrize("path", SURVEYS, ids=lambda p: p.stem)
def test_survey_is_accepted_by_awx(path):
    assert awx_spec_errors(_survey(path)) == []


@pytest.mark.parametrize("path", SURVEYS, ids=lambda p: p.stem)
def test_survey_defaults_are_the_example_values_and_pass_awx_launch_checks(path):
    for question in _survey(path)["spec"]:
        name, default = question["variable"], question.get("default", "")
        if name in FLEETMAN:
            example = FLEETMAN[name]
            # AWX keeps a multiselect default as lines; the answer is the list of selected lines.
            answer = default.splitlines() if question["type"] == "multiselect" else default
            assert answer == example, f"{path.name}: {name} defaults to {default!r}, fleetman.yml says {example!r}"
            assert awx_answer_errors(question, answer) == [], name
        else:
            # Not an example setting: a confirmation, which must be typed at every launch. An empty
            # default fails AWX's launch check, so AWX never applies it and the role refuses to run.
            assert name.endswith("_confirm") and question["required"] and default == "", name
            assert awx_answer_errors(question, default) != []


@pytest.mark.parametrize("template", JOB_TEMPLATES["awx_job_templates"], ids=lambda t: t["name"])
def test_survey_variables_are_documented_and_typed_like_the_roles(template):
    options = _argument_specs()
    for question in _survey(AWX_DATA / "surveys" / f"{template['survey']}.yml")["spec"]:
        name = question["variable"]
        assert name in FLEETMAN or name in options, f"{name} is neither in fleetman.yml nor a role variable"
        if name in options:
            spec_type = options[name].get("type", "str")
            expected = {"int": ("integer",), "list": ("multiselect",),
                        "str": ("text", "textarea", "password", "multiplechoice")}[spec_type]
            assert question["type"] in expected, f"{name}: survey type {question['type']}, role type {spec_type}"
            if options[name].get("choices") and question["type"] == "multiplechoice":
                assert set(_choices(question)) <= set(options[name]["choices"]), name
    # Teardown and self-heal ask for the confirmation their role requires.
    confirm = {"teardown": "teardown_confirm", "self-heal": "self_heal_confirm"}.get(template["name"])
    variables = [q["variable"] for q in _survey(AWX_DATA / "surveys" / f"{template['survey']}.yml")["spec"]]
    if confirm:
        assert confirm in variables and confirm in options
    else:
        assert not any(v.endswith("_confirm") for v in variables)


def test_zone_choices_belong_to_the_region_choices():
    for path in SURVEYS:
        questions = {q["variable"]: q for q in _survey(path)["spec"]}
        if "cluster_zones" in questions:
            regions = set(_choices(questions["kops_aws_region"]))
            assert {zone[:-1] for zone in _choices(questions["cluster_zones"])} == regions


def test_shared_extra_variables_are_documented_role_variables():
    options = _argument_specs()
    extra = JOB_TEMPLATES["awx_job_template_extra_vars"]
    # Jobs run in throw-away containers: the SSH key pair is kept in AWS.
    assert extra == {"ssh_keypair_store": "aws"}
    for name, value in extra.items():
        assert name in options, name
        assert value in options[name].get("choices", [value])
