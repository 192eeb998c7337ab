"""The demo's training academy: "Data protection at the customer's home", required of every
helper, which every approved demo helper passed (so the demo still matches), and "Smart-home
set-up", required for the smart-home category, which most of its helpers passed and some did
not (the manager's "who lacks what" shows them); then coming events with registrations and a
waiting list."""

from __future__ import annotations

from datetime import timedelta

from academy.models import Course, EventKind
from academy.selectors import current_version
from academy.services import (
    LessonInput,
    OptionInput,
    QuestionInput,
    course_create,
    course_draft_write,
    course_version_publish,
    event_register,
    quiz_attempt_start,
    quiz_attempt_submit,
    training_event_create,
)
from catalogue.models import ServiceCategory
from demo.community import Community
from demo.history import DAY
from helpers.models import ApprovalStatus

Texts = dict[str, str]

COURSES: dict[str, dict[str, object]] = {
    "data-protection": {
        "required_for_all": True,
        "categories": (),
        "title": {
            "de": "Datenschutz bei der Kundschaft zu Hause",
            "fr": "Protection des données chez la clientèle",
            "it": "Protezione dei dati a casa della clientela",
            "en": "Data protection at the customer's home",
        },
        "lesson": (
            {
                "de": "Was Sie sehen, bleibt privat",
                "fr": "Ce que vous voyez reste privé",
                "it": "Ciò che vede resta privato",
                "en": "What you see stays private",
            },
            {
                "de": "Sie sehen Fotos, E-Mails und Bankdaten. Öffnen Sie nur, was für die "
                "Arbeit nötig ist, notieren Sie keine Passwörter und lassen Sie die Kundin "
                "oder den Kunden Passwörter selbst eingeben.",
                "fr": "Vous voyez des photos, des e-mails et des données bancaires. N’ouvrez "
                "que ce qui est nécessaire au travail, ne notez aucun mot de passe et laissez "
                "la cliente ou le client saisir ses mots de passe.",
                "it": "Vede foto, e-mail e dati bancari. Apra solo ciò che serve al lavoro, "
                "non annoti password e lasci che la cliente o il cliente le inserisca da sé.",
                "en": "You see photos, e-mails and bank details. Open only what the work "
                "needs, write down no password, and let the customer type passwords "
                "themselves.",
            },
        ),
        "questions": (
            (
                {
                    "de": "Die Kundin nennt Ihnen ihr E-Banking-Passwort. Was tun Sie?",
                    "fr": "La cliente vous dit son mot de passe e-banking. Que faites-vous ?",
                    "it": "La cliente le dice la password dell’e-banking. Cosa fa?",
                    "en": "The customer tells you her e-banking password. What do you do?",
                },
                (
                    {
                        "de": "Ich bitte sie, es selbst einzugeben.",
                        "fr": "Je lui demande de le saisir elle-même.",
                        "it": "Le chiedo di inserirla lei stessa.",
                        "en": "I ask her to type it herself.",
                    },
                    {
                        "de": "Ich notiere es für später.",
                        "fr": "Je le note pour plus tard.",
                        "it": "La annoto per dopo.",
                        "en": "I write it down for later.",
                    },
                ),
            ),
            (
                {
                    "de": "Dürfen Sie Fotos der Kundschaft auf Ihr Telefon kopieren?",
                    "fr": "Pouvez-vous copier des photos de la clientèle sur votre téléphone ?",
                    "it": "Può copiare foto della clientela sul suo telefono?",
                    "en": "May you copy the customer's photos to your phone?",
                },
                (
                    {
                        "de": "Nein, nie.",
                        "fr": "Non, jamais.",
                        "it": "No, mai.",
                        "en": "No, never.",
                    },
                    {
                        "de": "Ja, als Sicherung.",
                        "fr": "Oui, comme sauvegarde.",
                        "it": "Sì, come backup.",
                        "en": "Yes, as a backup.",
                    },
                ),
            ),
        ),
    },
    "smart-home-set-up": {
        "required_for_all": False,
        "categories": ("smart-home",),
        "title": {
            "de": "Smart-Home einrichten",
            "fr": "Installer une maison connectée",
            "it": "Configurare la casa intelligente",
            "en": "Smart-home set-up",
        },
        "lesson": (
            {
                "de": "Geräte sicher verbinden",
                "fr": "Connecter les appareils en sécurité",
                "it": "Collegare i dispositivi in sicurezza",
                "en": "Connecting devices safely",
            },
            {
                "de": "Ändern Sie Standardpasswörter, installieren Sie Updates und erklären Sie, "
                "welche App welches Gerät steuert.",
                "fr": "Changez les mots de passe par défaut, installez les mises à jour et "
                "expliquez quelle app commande quel appareil.",
                "it": "Cambi le password predefinite, installi gli aggiornamenti e spieghi quale "
                "app comanda quale dispositivo.",
                "en": "Change default passwords, install updates, and explain which app "
                "controls which device.",
            },
        ),
        "questions": (
            (
                {
                    "de": "Was tun Sie zuerst mit einer neuen Überwachungskamera?",
                    "fr": "Que faites-vous d’abord avec une nouvelle caméra de surveillance ?",
                    "it": "Cosa fa per prima cosa con una nuova telecamera di sorveglianza?",
                    "en": "What do you do first with a new security camera?",
                },
                (
                    {
                        "de": "Das Standardpasswort ändern.",
                        "fr": "Changer le mot de passe par défaut.",
                        "it": "Cambiare la password predefinita.",
                        "en": "Change the default password.",
                    },
                    {
                        "de": "Sie ins Internet freigeben.",
                        "fr": "La rendre accessible sur Internet.",
                        "it": "Renderla accessibile da Internet.",
                        "en": "Open it to the internet.",
                    },
                ),
            ),
        ),
    },
}


def _lessons(spec: dict[str, object]) -> list[LessonInput]:
    lesson: tuple[Texts, Texts] = spec["lesson"]  # type: ignore[assignment]
    return [LessonInput(titles=lesson[0], bodies=lesson[1])]


def _questions(spec: dict[str, object]) -> list[QuestionInput]:
    return [
        QuestionInput(
            texts=text,
            options=[
                OptionInput(texts=option, is_correct=number == 0)
                for number, option in enumerate(options)
            ],
        )
        for text, options in spec["questions"]  # type: ignore[attr-defined]
    ]


def _publish(community: Community, slug: str, spec: dict[str, object]) -> Course:
    existing = Course.objects.filter(slug=slug).first()
    if existing is not None and current_version(existing) is not None:
        return existing
    manager = community.manager
    categories = ServiceCategory.objects.filter(slug__in=spec["categories"])  # type: ignore[misc]
    course = existing or course_create(
        actor=manager,
        slug=slug,
        titles=spec["title"],  # type: ignore[arg-type]
        required_for_all=bool(spec["required_for_all"]),
        required_for=list(categories.values_list("pk", flat=True)),
        validity_months=24,
    )
    version = course.versions.get()
    questions = _questions(spec)
    course_draft_write(
        actor=manager,
        version=version,
        titles=spec["title"],  # type: ignore[arg-type]
        summaries={},
        lessons=_lessons(spec),
        questions=questions,
        pass_mark=len(questions),
        questions_per_attempt=len(questions),
    )
    course_version_publish(actor=manager, version=version)
    return course


def _pass(helper_profile: object, course: Course) -> None:
    user = helper_profile.user  # type: ignore[attr-defined]
    attempt = quiz_attempt_start(helper=helper_profile, actor=user, course=course)  # type: ignore[arg-type]
    answers = [
        (question_id, attempt.version.questions.get(pk=question_id).options.get(is_correct=True).pk)
        for question_id in attempt.question_ids
    ]
    quiz_attempt_submit(attempt=attempt, actor=user, answers=answers)


def seed_demo_academy(community: Community) -> None:
    """The courses, the approved helpers' certifications and the coming events."""
    history = community.history
    approved = [
        helper
        for helper in community.helpers
        if helper.profile.approval_status == ApprovalStatus.APPROVED
    ]
    smart_home = ServiceCategory.objects.filter(slug="smart-home").first()
    with history.at(history.now - 400 * DAY):
        protection = _publish(community, "data-protection", COURSES["data-protection"])
        smart = _publish(community, "smart-home-set-up", COURSES["smart-home-set-up"])
    skilled = [h for h in approved if smart_home is not None and smart_home.pk in h.skills]
    for number, helper in enumerate(approved):
        with history.at(history.now - (30 + number % 300) * DAY):
            _pass(helper.profile, protection)
            # Most smart-home helpers passed its course; every fourth did not yet.
            if helper in skilled and number % 4 != 3:
                _pass(helper.profile, smart)
    manager = community.manager
    soon = history.now.replace(hour=16, minute=0) + 6 * DAY
    training = training_event_create(
        actor=manager,
        kind=EventKind.TRAINING,
        titles={
            "de": "Smart-Home-Abend im GZ Wipkingen",
            "fr": "Soirée maison connectée au GZ Wipkingen",
            "it": "Serata casa intelligente al GZ Wipkingen",
            "en": "Smart-home evening at GZ Wipkingen",
        },
        descriptions={},
        starts_at=soon,
        ends_at=soon + timedelta(hours=2),
        capacity=3,
        place="GZ Wipkingen, Breitensteinstrasse 19a, 8037 Zürich",
        course=smart,
    )
    meetup_at = soon + 8 * DAY
    meetup = training_event_create(
        actor=manager,
        kind=EventKind.MEETUP,
        titles={
            "de": "Online-Treffen der Helferinnen und Helfer",
            "fr": "Rencontre en ligne des personnes qui aident",
            "it": "Incontro online delle persone aiutanti",
            "en": "Helpers' online meet-up",
        },
        descriptions={},
        starts_at=meetup_at,
        ends_at=meetup_at + timedelta(hours=1),
        capacity=30,
        online_url="https://meet.quartier.test/helpers",
    )
    uncertified = [h for h in skilled if approved.index(h) % 4 == 3]
    for helper in (uncertified + approved)[:4]:
        event_register(
            helper=helper.profile, actor=helper.user, event=training, join_waiting_list=True
        )
    for helper in approved[:6]:
        event_register(helper=helper.profile, actor=helper.user, event=meetup)
