"""Every status field has exactly one writer: its model's transition function.

The source of every product package is read (not run) and each write of a status field is
found, however it is spelt: an attribute assignment (then saved), `setattr`, a keyword of a
queryset write or a model constructor, a dict handed to one, `bulk_update` or
`save(update_fields=...)` naming the field, or raw SQL. Writes inside a model's transition
function are that function's job; any other write fails the test.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOT_PRODUCT = {"tests", "bench", "scripts"}

# (model, field) → the one function that may write it.
WRITERS: dict[tuple[str, str], str] = {
    ("HelpRequest", "status"): "help_request_move",
    ("Offer", "status"): "offers_move",
    ("Booking", "status"): "booking_transition",
    ("SlotProposal", "status"): "proposals_move",
    ("Review", "status"): "reviews_publish",
    ("HelperProfile", "approval_status"): "helper_approval_move",
    ("Payment", "status"): "payment_transition",
    ("PayoutAccount", "status"): "payout_account_move",
    ("ExtraCharge", "status"): "extra_charge_move",
    ("CourseVersion", "status"): "course_version_move",
    ("EventRegistration", "status"): "event_registrations_move",
    ("HelperAppeal", "status"): "appeal_move",
}
STATUS_FIELDS = {field for _, field in WRITERS}
WRITER_MODEL = {writer: model for (model, _), writer in WRITERS.items()}
ENUM_MODEL = {
    "HelpRequestStatus": "HelpRequest",
    "OfferStatus": "Offer",
    "BookingStatus": "Booking",
    "ProposalStatus": "SlotProposal",
    "ReviewStatus": "Review",
    "ApprovalStatus": "HelperProfile",
    "PaymentStatus": "Payment",
    "PayoutAccountStatus": "PayoutAccount",
    "ExtraStatus": "ExtraCharge",
    "VersionStatus": "CourseVersion",
    "RegistrationStatus": "EventRegistration",
    "AppealStatus": "HelperAppeal",
}
MODELS = {model for model, _ in WRITERS}
WRITE_CALLS = {"update", "create", "get_or_create", "update_or_create", "bulk_create"}
TABLES = {
    "bookings_helprequest": "HelpRequest",
    "bookings_offer": "Offer",
    "bookings_booking": "Booking",
    "bookings_slotproposal": "SlotProposal",
    "bookings_review": "Review",
    "helpers_helperprofile": "HelperProfile",
    "payments_payment": "Payment",
    "payments_payoutaccount": "PayoutAccount",
    "payments_extracharge": "ExtraCharge",
    "academy_courseversion": "CourseVersion",
    "academy_eventregistration": "EventRegistration",
    "helpers_helperappeal": "HelperAppeal",
}
# Not a model's status: an error's HTTP status.
NOT_MODEL_STATUS = {
    ("backend/exceptions.py", "__init__"),
    # The HTTP status of an ASGI response message, not a model's.
    ("backend/body_limit.py", "_answer_too_large"),
    # The status a live event tells its recipients, in the event's payload, not a model's.
    ("realtime/stream.py", "entries_for"),
    ("realtime/stream.py", "_offer_entries"),
    ("realtime/stream.py", "_booking_entries"),
    # The HTTP status of an answer kept for an Idempotency-Key.
    ("mobile_api/idempotency.py", "__init__"),
    # The payout account's status handed to its page's template.
    ("web/views/payouts.py", "payouts"),
    # A PaymentIntent's status in the local Stripe, which declines a test card as Stripe does.
    ("stripe_emulator/declines.py", "_set_auth_failure"),
}


@dataclass(frozen=True)
class Write:
    path: str
    line: int
    function: str | None
    how: str
    model: str | None  # None: the code does not say which model


def _functions_by_line(tree: ast.Module) -> dict[int, str]:
    """Line number → name of the innermost function defined around it."""
    owner: dict[int, str] = {}
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    for function in sorted(functions, key=lambda n: n.lineno):
        for line in range(function.lineno, (function.end_lineno or function.lineno) + 1):
            owner[line] = function.name
    return owner


def _model_named_in(text: str) -> str | None:
    for enum, model in ENUM_MODEL.items():
        if f"{enum}." in text:
            return model
    for model in sorted(MODELS, key=len, reverse=True):
        if re.search(rf"\b{model}\b", text):
            return model
    return None


def _names_a_status(node: ast.AST) -> str | None:
    """The status field a list/tuple of field names contains, if any."""
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        for element in node.elts:
            if isinstance(element, ast.Constant) and element.value in STATUS_FIELDS:
                return str(element.value)
    return None


def _call_name(node: ast.Call) -> str:
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    if isinstance(node.func, ast.Name):
        return node.func.id
    return ""


class _Finder(ast.NodeVisitor):
    def __init__(self, path: str, text: str, tree: ast.Module) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.owners = _functions_by_line(tree)
        self.writes: list[Write] = []

    def source(self, node: ast.AST) -> str:
        """The node's source lines (ast.get_source_segment re-splits the file on every call)."""
        first, last = getattr(node, "lineno", 0), getattr(node, "end_lineno", None) or 0
        return "\n".join(self.lines[first - 1 : last]) if first else ""

    def found(self, node: ast.AST, how: str, model: str | None) -> None:
        line = getattr(node, "lineno", 0)
        self.writes.append(Write(self.path, line, self.owners.get(line), how, model))

    def visit_Assign(self, node: ast.Assign | ast.AugAssign | ast.AnnAssign) -> None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr in STATUS_FIELDS:
                value = self.source(node.value) if node.value is not None else ""
                self.found(node, f"assigns .{target.attr}", _model_named_in(value))
        self.generic_visit(node)

    visit_AugAssign = visit_Assign
    visit_AnnAssign = visit_Assign

    def visit_Call(self, node: ast.Call) -> None:
        name = _call_name(node)
        receiver = self.source(node.func)
        if (
            name == "setattr"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value in STATUS_FIELDS
        ):
            self.found(node, "setattr", None)
        if name in WRITE_CALLS or name in MODELS:
            for keyword in node.keywords:
                if keyword.arg in STATUS_FIELDS:
                    model = name if name in MODELS else None
                    value = self.source(keyword.value)
                    self.found(
                        node,
                        f"{name}({keyword.arg}=...)",
                        model or _model_named_in(value) or _model_named_in(receiver),
                    )
        if name == "bulk_update":
            for argument in [*node.args[1:], *(k.value for k in node.keywords)]:
                if field := _names_a_status(argument):
                    self.found(node, f"bulk_update({field})", _model_named_in(receiver))
        if name == "save":
            for keyword in node.keywords:
                if keyword.arg == "update_fields" and (field := _names_a_status(keyword.value)):
                    self.found(node, f"save(update_fields={field})", None)
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        # `_("... %(status)s") % {"status": ...}` fills a message's placeholder: not a write.
        if isinstance(node.op, ast.Mod) and isinstance(node.right, ast.Dict):
            self.visit(node.left)
            for value in node.right.values:
                self.visit(value)
            return
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value in STATUS_FIELDS:
                self.found(node, f"dict {key.value!r}", _model_named_in(self.source(value)))
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            match = re.search(
                r"update\s+\"?(\w+)\"?\s+set\s+[^;]*\b(status|approval_status)\b",
                node.value,
                re.IGNORECASE,
            )
            if match:
                self.found(node, "raw SQL UPDATE", TABLES.get(match.group(1).lower()))


def status_writes(path: str, text: str) -> list[Write]:
    tree = ast.parse(text)
    finder = _Finder(path, text, tree)
    finder.visit(tree)
    return [w for w in finder.writes if (w.path, w.function) not in NOT_MODEL_STATUS]


def offenders(writes: list[Write]) -> list[Write]:
    """Writes outside the transition functions, or of another model's status in one."""
    return [
        write
        for write in writes
        if write.function not in WRITER_MODEL
        or (write.model is not None and write.model != WRITER_MODEL[write.function])
    ]


def _product_sources() -> list[tuple[str, str]]:
    sources = []
    for package in sorted(REPO.iterdir()):
        if package.name in NOT_PRODUCT or not (package / "__init__.py").exists():
            continue
        for path in sorted(package.rglob("*.py")):
            if "migrations" not in path.parts:
                sources.append((str(path.relative_to(REPO)), path.read_text(encoding="utf-8")))
    return sources


def test_the_scanner_finds_each_way_of_writing_a_status():
    sample = """
def offers_move(offers, to):
    offers.update(status=to)


def sneaky(booking, offer, proposals, Offer, Booking, HelperProfile, queryset, helper):
    booking.status = BookingStatus.SETTLED
    booking.save()
    setattr(offer, "status", "declined")
    queryset.update(status=OfferStatus.EXPIRED)
    Booking(status="confirmed")
    values = {"status": ProposalStatus.CHOSEN}
    HelperProfile.objects.filter(pk=1).update(approval_status="approved")
    Offer.objects.bulk_update([offer], ["status"])
    helper.save(update_fields=["approval_status"])
    Offer.objects.update_or_create(pk=1, defaults={"status": "withdrawn"})
    sql = "UPDATE bookings_review SET status = 'published'"
    said = _("It is %(status)s.") % {"status": booking.status}


def offers_move_too(Booking):
    Booking.objects.update(status=BookingStatus.CANCELLED)
"""
    found = [
        (w.line, w.function, w.how, w.model) for w in offenders(status_writes("sample.py", sample))
    ]

    assert found == [
        (7, "sneaky", "assigns .status", "Booking"),
        (9, "sneaky", "setattr", None),
        (10, "sneaky", "update(status=...)", "Offer"),
        (11, "sneaky", "Booking(status=...)", "Booking"),
        (12, "sneaky", "dict 'status'", "SlotProposal"),
        (13, "sneaky", "update(approval_status=...)", "HelperProfile"),
        (14, "sneaky", "bulk_update(status)", "Offer"),
        (15, "sneaky", "save(update_fields=approval_status)", None),
        (16, "sneaky", "dict 'status'", "Offer"),
        (17, "sneaky", "raw SQL UPDATE", "Review"),
        (22, "offers_move_too", "update(status=...)", "Booking"),
    ]


def test_a_transition_function_writes_only_its_own_models_status():
    sample = """
def offers_move(Booking, offers):
    offers.update(status=OfferStatus.WITHDRAWN)
    Booking.objects.filter(pk=1).update(status=BookingStatus.SETTLED)
"""
    assert [(w.line, w.model) for w in offenders(status_writes("sample.py", sample))] == [
        (4, "Booking")
    ]


def test_no_status_is_written_outside_its_transition_function():
    writes = [w for path, text in _product_sources() for w in status_writes(path, text)]

    assert offenders(writes) == []


def test_each_transition_function_is_where_its_status_is_written():
    # The table above is not stale: each writer exists and writes its field.
    writes = [w for path, text in _product_sources() for w in status_writes(path, text)]
    writers_seen = {w.function for w in writes}

    assert set(WRITER_MODEL) <= writers_seen
