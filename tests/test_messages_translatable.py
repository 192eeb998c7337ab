"""Every message the product says in an error passes through gettext, so it can be translated.

The source of every product package is read (not run), the back office's admin modules
included (it speaks the manager's language too). A text counts as a message when it is
handed to an error: the message of an `ApplicationError` (any subclass, found by importing
the product) or of `for_field`, an entry of its `fields`, the message of a DRF or form
`ValidationError`, an argument named `message` of a function of the same module (the small
factories such as `_refuse(message, code)`), a WebSocket error frame (`_error(code, message)`),
or a variable named `message`. So are the words of a form or a serializer: a field's `label`,
`help_text`, `empty_label`, its `error_messages` and the labels of its literal `choices` (the
API's own help texts and filter labels, documentation for the apps' developers, excepted).
Such a text must be a gettext call (`_("...")`, possibly `% {...}`), never a bare literal, an
f-string or a concatenation: those stay English whatever the reader's language. The catalogue tests (tests/web/test_catalogues.py) then make sure every
msgid has its German, French and Italian.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from backend.exceptions import ApplicationError

REPO = Path(__file__).resolve().parents[1]
PRODUCT = (
    "backend",
    "catalogue",
    "helpers",
    "bookings",
    "payments",
    "realtime",
    "mobile_api",
    "academy",
    "web",
)
# The words of a form's or a serializer's field, but those of the API's documentation.
FIELD_WORDS = {"label", "help_text", "empty_label", "error_messages"}
API_DOCUMENTATION = {"label", "help_text"}
GETTEXT = {"_", "gettext", "ngettext", "pgettext", "npgettext", "gettext_lazy", "ngettext_lazy"}
# Not English of our own (first 80 characters of the expression).
NOT_MESSAGES = {
    # Stripe's own words about a refusal, passed on as Stripe wrote them.
    ("payments/stripe_gateway.py", "str(exc.user_message or exc)"),
    # A translated label followed by the name of a language in itself: "Titel (Deutsch)".
    ("web/console_forms.py", "f'{label} ({LANGUAGE_NAMES[language]})'"),
    # "field: message", the field's name and an already translated message.
    (
        "mobile_api/errors.py",
        "first_messages[0] if first_field == 'non_field_errors' else f'{first_field}: {fi",
    ),
}


def _error_classes() -> set[str]:
    found: set[str] = set()
    todo = [ApplicationError]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return found | {"ValidationError"}


def _is_gettext(node: ast.expr) -> bool:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in GETTEXT
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _is_gettext(node.left)
    return False


def _has_text(node: ast.expr) -> bool:
    """Whether `node` builds a message from English text outside gettext."""
    if _is_gettext(node):
        return False
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value.strip() != ""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _has_text(node.left) or _has_text(node.right)
    if isinstance(node, ast.IfExp):
        return _has_text(node.body) or _has_text(node.orelse)
    if isinstance(node, ast.Dict):  # a serializer's {"field": "message"}
        return any(_has_text(value) for value in node.values if value is not None)
    if isinstance(node, ast.List):
        return any(_has_text(item) for item in node.elts)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id == "getattr" and len(node.args) == 3:  # getattr(view, "x", "default")
            return _has_text(node.args[2])
        if node.func.id == "str" and node.args:
            return _has_text(node.args[0])
    return False


def _name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _message_parameters(tree: ast.Module) -> dict[str, int]:
    """The module's functions with a parameter `message`: name → its position (self skipped)."""
    found: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name != "__init__":
            names = [argument.arg for argument in node.args.posonlyargs + node.args.args]
            if "message" in names:
                skip = 1 if names[0] in ("self", "cls") else 0
                found[node.name] = names.index("message") - skip
    return found


def _field_words(node: ast.Call, skipped: set[str]) -> Iterator[ast.expr]:
    """The words a form's or a serializer's field shows: its label, help text, error messages
    and the labels of its literal choices."""
    for keyword in node.keywords:
        if keyword.arg in FIELD_WORDS - skipped:
            yield keyword.value
        if keyword.arg == "choices" and isinstance(keyword.value, ast.List | ast.Tuple):
            for choice in keyword.value.elts:
                if isinstance(choice, ast.Tuple) and len(choice.elts) == 2:
                    yield choice.elts[1]


def _messages(
    tree: ast.Module, errors: set[str], skipped: set[str] | None = None
) -> Iterator[ast.expr]:
    factories = _message_parameters(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            if any(
                isinstance(target, ast.Name) and target.id == "message" for target in node.targets
            ):
                yield node.value
            if any(
                isinstance(target, ast.Name) and target.id == "not_found_message"
                for target in node.targets
            ):
                yield node.value
            continue
        if not isinstance(node, ast.Call):
            continue
        yield from _field_words(node, skipped or set())
        name = _name(node)
        if name == "for_field" and len(node.args) >= 2:
            yield node.args[1]
        elif name in errors and node.args:
            yield node.args[0]
        elif name in factories and len(node.args) > factories[name]:
            yield node.args[factories[name]]
        for keyword in node.keywords:
            if keyword.arg == "message" and (name in errors or name in factories):
                yield keyword.value
            if keyword.arg == "fields" and name in errors:
                yield keyword.value


@dataclass(frozen=True)
class Untranslated:
    path: str
    line: int
    text: str


def untranslated_messages() -> list[Untranslated]:
    errors = _error_classes()
    found = []
    for package in PRODUCT:
        for path in sorted((REPO / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            relative = str(path.relative_to(REPO))
            skipped = API_DOCUMENTATION if package == "mobile_api" else set()
            for message in _messages(ast.parse(path.read_text()), errors, skipped):
                text = ast.unparse(message)
                if _has_text(message) and (relative, text[:80]) not in NOT_MESSAGES:
                    found.append(Untranslated(relative, message.lineno, text[:80]))
    return found


def test_every_message_an_error_carries_goes_through_gettext():
    assert untranslated_messages() == []


def test_the_scan_finds_messages_in_every_shape_it_looks_for():
    # Given a module with one untranslated message in each shape the scan knows
    source = """
def _refuse(message, code):
    return UploadRefused(message, code=code, fields={"file": [message]})

def check(value):
    raise ValidationFailed("Plain.")
    raise Conflict.for_field("field", f"Formatted {value}.")
    raise NotFound(message="Keyword.")
    raise ValidationFailed(_("Fine."), fields={"field": ["Listed."]})
    raise _refuse("Through a factory.", "code")
    raise ValidationError({"until": "In a dict."})
    message = "Assigned " + value
    raise NotFound(getattr(view, "not_found_message", "A default."))
    raise ValidationFailed(_("Fine: %(value)s.") % {"value": value})

class ReviewForm(forms.Form):
    note = forms.CharField(label="Note", help_text=_("Fine."), empty_label="None")
    kind = forms.ChoiceField(choices=[("a", "Plain choice"), ("b", _("Fine."))])
    day = forms.DateField(error_messages={"invalid": "Not a day."})
"""
    tree = ast.parse(source)
    errors = _error_classes()

    # When it is scanned
    flagged = [ast.unparse(m) for m in _messages(tree, errors) if _has_text(m)]

    # Then each untranslated message is found, and the gettext ones are not
    assert sorted(flagged) == sorted(
        [
            "'Plain.'",
            "f'Formatted {value}.'",
            "'Keyword.'",
            "{'field': ['Listed.']}",
            "'Through a factory.'",
            "{'until': 'In a dict.'}",
            "'Assigned ' + value",
            "getattr(view, 'not_found_message', 'A default.')",
            "'Note'",
            "'None'",
            "'Plain choice'",
            "{'invalid': 'Not a day.'}",
        ]
    )


def test_the_apis_own_help_texts_and_filter_labels_are_documentation():
    tree = ast.parse(
        'serializers.CharField(help_text="For developers.", error_messages={"blank": "Empty."})'
        '\nfilters.BooleanFilter(label="Only mine.")'
    )
    flagged = [
        ast.unparse(m) for m in _messages(tree, _error_classes(), API_DOCUMENTATION) if _has_text(m)
    ]
    assert flagged == ["{'blank': 'Empty.'}"]
