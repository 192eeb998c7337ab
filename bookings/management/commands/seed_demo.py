"""Build a believable Quartier from the real Swiss localities directory: `manage.py seed_demo`.

People live around real Swiss postcodes (weighted towards the big cities, with some rural
spread), speak the languages of where they live, and walk the whole help-request loop. Every
write goes through the services, run at simulated past moments with time-machine, so the data
is exactly what the product would have produced: requests posted days ago, offers answered
within their 30 minutes, visits checked in at their slot, reviews within their window. At the
end `sweep_due_work()` runs at the real now, which signs off old visits automatically and
expires what has run out, as the worker would have.

Idempotent: a second run finds the community manager with the seed marker and stops.
`--reset` deletes the demo people (@example.ch, @quartier.test) and everything hanging off
them, then builds again. Deterministic for a given `--seed` (up to the current date).
"""

from __future__ import annotations

import math
import random
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as clock
from typing import Any

import time_machine
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from tqdm import tqdm

from backend.config import QuartierConfig, config
from backend.exceptions import ApplicationError
from backend.geo import Point, bounding_box, geodesic_m, is_in_switzerland
from backend.localities import Locality, localities
from backend.models import User
from backend.places import Place, resolve_place
from bookings import services
from bookings.management.progress import Unterminated
from bookings.models import (
    Booking,
    BookingStatus,
    DeclineReason,
    HelpRequest,
    HelpRequestStatus,
    Offer,
    OfferStatus,
    Party,
    ProposalStatus,
    Review,
)
from catalogue.models import ServiceCategory
from helpers.availability import SWISS_TIME, AvailabilityIndex
from helpers.models import ApprovalStatus, AvailabilityException, ExceptionKind, HelperProfile
from helpers.services import (
    WeeklyInterval,
    availability_exception_add,
    helper_apply,
    helper_approve,
    helper_profile_update,
    helper_set_weekly_availability,
    helper_suspend,
)

# Documented in the README and printed at the end: demo accounts only.
DEMO_PASSWORD = "quartier-demo"  # noqa: S105
MANAGER_EMAIL = "manager@quartier.test"
# The manager's display name marks a database this command has filled.
SEED_MARKER = "Community manager (demo data)"
DEMO_EMAIL_DOMAINS = ("@example.ch", "@quartier.test")

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
QUARTER = timedelta(minutes=15)

# Cities people live in and around, weighted roughly by population (thousands).
CITIES: tuple[tuple[str, int], ...] = (
    ("Zürich", 420),
    ("Genève", 205),
    ("Basel", 175),
    ("Lausanne", 140),
    ("Bern", 135),
    ("Winterthur", 115),
    ("Luzern", 83),
    ("St. Gallen", 76),
    ("Lugano", 63),
    ("Biel/Bienne", 56),
    ("Thun", 44),
    ("Bellinzona", 44),
    ("Neuchâtel", 45),
    ("Fribourg", 38),
    ("Chur", 38),
    ("Schaffhausen", 37),
    ("La Chaux-de-Fonds", 37),
    ("Sion", 35),
    ("Uster", 35),
    ("Zug", 31),
    ("Yverdon-les-Bains", 30),
    ("Montreux", 26),
    ("Aarau", 22),
    ("Baden", 20),
    ("Solothurn", 17),
    ("Locarno", 16),
)
SUBURB_RADIUS_M = 12_000
RURAL_SHARE = 0.18
HOME_JITTER_M = 700.0


def _words(text: str, separator: str = " ") -> list[str]:
    """Long lists of names, written as one string so they stay readable."""
    return text.split(separator)


FIRST_NAMES: dict[str, list[str]] = {
    "de": _words(
        "Anna Laura Sarah Lea Julia Sandra Nicole Monika Ursula Ruth Verena Barbara Daniela "
        "Claudia Esther Heidi Rita Corinne Daniel Thomas Peter Martin Hans Andreas Markus Urs "
        "Beat Stefan Christian Michael Reto Lukas Jonas Noah David Simon Fabian Patrick Bruno "
        "Walter Ueli Adrian"
    ),
    "fr": _words(
        "Marie Sophie Camille Léa Chloé Julie Nathalie Isabelle Catherine Anne Sylvie Monique "
        "Françoise Céline Aurélie Valérie Jean Pierre Nicolas Philippe Olivier Laurent Julien "
        "Mathieu Alain Christophe Yves Michel Bernard Sébastien Thierry Gabriel Louis Hugo Antoine"
    ),
    "it": _words(
        "Giulia Chiara Sara Francesca Elena Maria Paola Silvia Alessia Martina Laura Marco Luca "
        "Matteo Alessandro Giovanni Paolo Giorgio Stefano Davide Fabio Mattia Lorenzo Roberto "
        "Claudio Franco"
    ),
    "en": _words(
        "Emma Olivia Priya Hannah Grace Sofia James Oliver Daniel Arjun Liam Ethan Mateo Tomasz"
    ),
}
LAST_NAMES: dict[str, list[str]] = {
    "de": _words(
        "Müller Meier Schmid Keller Weber Huber Schneider Meyer Steiner Fischer Gerber Brunner "
        "Baumann Frei Zimmermann Moser Widmer Wyss Graf Roth Suter Baumgartner Bachmann Studer "
        "Bühler Kaufmann Marti Hofmann Lehmann Kälin Zürcher Bieri Gisler Vogel Egli Ammann Hofer "
        "Caduff Derungs Tuor"
    ),
    "fr": _words(
        "Favre Rochat Bonvin Perrin Morel Fournier Mercier Girard Dubois Rey Blanc Python Pittet "
        "Cuénod Jaquet Bovet Chevalley Monnier Clément Dumont Berset Gaillard Vuilleumier Roulin "
        "Chappuis Maillard Baud Ducret"
    ),
    "it": _words(
        "Bernasconi Rossi Ferrari Galli Lombardi Fontana Colombo Bianchi Pedrazzini Rusconi "
        "Moretti Cattaneo Guidi Bernardi Ghisletta Pellandini Rezzonico Soldati Antognini Sala "
        "Crivelli Molinari Beffa Gianella Balestra"
    ),
    "en": _words(
        "Smith Johnson Brown Taylor Wilson Patel Sharma Novak Kowalski García Silva O'Brien "
        "Murphy Andersson"
    ),
}
# The elderly parents relatives book for: mothers, then fathers.
PARENT_NAMES: dict[str, tuple[list[str], list[str]]] = {
    "de": (_words("Erika Margrit Rosmarie Elsbeth"), _words("Walter Ernst Fritz Kurt")),
    "fr": (_words("Jacqueline Monique Yvette Georgette"), _words("Georges Marcel Roger André")),
    "it": (_words("Rosa Carla Bruna Giuseppina"), _words("Giuseppe Mario Ernesto Aldo")),
}
STREETS: dict[str, list[str]] = {
    "de": _words(
        "Bahnhofstrasse|Hauptstrasse|Dorfstrasse|Kirchweg|Schulstrasse|Seestrasse|Gartenstrasse|"
        "Rosenweg|Lindenstrasse|Birkenweg|Feldstrasse|Bergstrasse|Mühleweg|Sonnenbergstrasse|"
        "Talstrasse|Rebbergstrasse",
        "|",
    ),
    "fr": _words(
        "Rue de la Gare|Rue du Lac|Chemin des Vignes|Avenue de la Gare|Rue du Centre|"
        "Chemin du Moulin|Rue des Alpes|Avenue des Alpes|Chemin des Fleurs|Rue du Marché|"
        "Route de la Forêt|Chemin de la Colline",
        "|",
    ),
    "it": _words(
        "Via Cantonale|Via San Gottardo|Via della Stazione|Via ai Monti|Via Nassa|Via Campagna|"
        "Via alla Chiesa|Via Vela|Via dei Faggi|Via al Lago",
        "|",
    ),
}
# Landline area codes, for the elderly parents' phones.
AREA_CODES: dict[str, str] = dict(
    pair.split(":")
    for pair in _words(
        "ZH:44 GE:22 BS:61 BL:61 VD:21 BE:31 LU:41 SG:71 TI:91 NE:32 JU:32 FR:26 VS:27 SH:52 AG:62 "
        "SO:32 GR:81 ZG:41 TG:71 AR:71 AI:71 SZ:41 UR:41 OW:41 NW:41 GL:55"
    )
)

DESCRIPTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "internet-wifi": {
        "de": (
            "Das WLAN bricht abends immer wieder ab, vor allem im Schlafzimmer.",
            "Neuer Router geliefert, ich weiss nicht, wie ich ihn anschliesse.",
        ),
        "fr": (
            "Le Wi-Fi coupe sans arrêt le soir, surtout dans la chambre.",
            "J'ai reçu un nouveau routeur et je ne sais pas comment le brancher.",
        ),
        "it": (
            "Il Wi-Fi si interrompe spesso la sera, soprattutto in camera.",
            "Mi è arrivato un nuovo router e non so come collegarlo.",
        ),
        "en": (
            "The Wi-Fi keeps dropping in the evening, especially in the bedroom.",
            "A new router arrived and I don't know how to connect it.",
        ),
    },
    "tv-streaming": {
        "de": (
            "Die TV-Box zeigt nur noch einen schwarzen Bildschirm.",
            "Ich möchte Netflix auf dem Fernseher schauen, komme aber nicht weiter.",
        ),
        "fr": (
            "La box TV n'affiche plus qu'un écran noir.",
            "J'aimerais regarder Netflix sur la télévision mais je n'y arrive pas.",
        ),
        "it": (
            "Il decoder TV mostra solo uno schermo nero.",
            "Vorrei guardare Netflix sul televisore ma non riesco ad accedere.",
        ),
        "en": (
            "The TV box only shows a black screen.",
            "I'd like to watch Netflix on the TV but can't get past the log-in.",
        ),
    },
    "smartphone-tablet": {
        "de": (
            "Neues iPhone: Kontakte und Fotos vom alten Handy übertragen.",
            "Das Tablet ist sehr langsam und zeigt ständig Meldungen an.",
        ),
        "fr": (
            "Nouvel iPhone : transférer les contacts et les photos de l'ancien téléphone.",
            "La tablette est très lente et affiche sans cesse des messages.",
        ),
        "it": (
            "Nuovo iPhone: trasferire contatti e foto dal vecchio telefono.",
            "Il tablet è molto lento e mostra continuamente messaggi.",
        ),
        "en": (
            "New iPhone: move contacts and photos from the old phone.",
            "The tablet is very slow and keeps showing pop-ups.",
        ),
    },
    "computer-printer": {
        "de": (
            "Der Drucker druckt vom Laptop aus nicht mehr, nur noch Fehlermeldungen.",
            "Neuer Computer: bitte einrichten und die E-Mails übernehmen.",
        ),
        "fr": (
            "L'imprimante n'imprime plus depuis l'ordinateur portable.",
            "Nouvel ordinateur : merci de l'installer et de reprendre mes e-mails.",
        ),
        "it": (
            "La stampante non stampa più dal portatile, solo messaggi di errore.",
            "Computer nuovo: da configurare e trasferire la posta elettronica.",
        ),
        "en": (
            "The printer stopped printing from the laptop, only error messages.",
            "New computer: please set it up and move my e-mail over.",
        ),
    },
    "smart-home": {
        "de": (
            "Ich möchte smarte Lampen und einen Sprachassistenten einrichten.",
            "Die Türklingel mit Kamera verbindet sich nicht mit dem Handy.",
        ),
        "fr": (
            "J'aimerais installer des ampoules connectées et un assistant vocal.",
            "La sonnette avec caméra ne se connecte pas au téléphone.",
        ),
        "it": (
            "Vorrei installare lampadine smart e un assistente vocale.",
            "Il campanello con telecamera non si collega al telefono.",
        ),
        "en": (
            "I'd like smart bulbs and a voice assistant set up.",
            "The video doorbell won't connect to my phone.",
        ),
    },
    "apps-accounts": {
        "de": (
            "Hilfe beim Einrichten von TWINT und der SBB-App.",
            "Ich komme nicht mehr ins E-Banking, die Zwei-Faktor-Anmeldung klappt nicht.",
        ),
        "fr": (
            "Aide pour installer TWINT et l'application CFF.",
            "Je n'arrive plus à accéder à l'e-banking, la double authentification échoue.",
        ),
        "it": (
            "Aiuto per configurare TWINT e l'app FFS.",
            "Non riesco più ad accedere all'e-banking, l'autenticazione non funziona.",
        ),
        "en": (
            "Help setting up TWINT and the SBB app.",
            "I'm locked out of e-banking; the two-factor log-in fails.",
        ),
    },
    "data-backup-transfer": {
        "de": (
            "Fotos vom Handy sichern, bevor der Speicher voll ist.",
            "Alte Dateien vom Computer auf eine externe Festplatte kopieren.",
        ),
        "fr": (
            "Sauvegarder les photos du téléphone avant que la mémoire soit pleine.",
            "Copier les anciens fichiers de l'ordinateur sur un disque externe.",
        ),
        "it": (
            "Salvare le foto del telefono prima che la memoria sia piena.",
            "Copiare i vecchi file del computer su un disco esterno.",
        ),
        "en": (
            "Back up the photos on my phone before the storage is full.",
            "Copy old files from the computer to an external drive.",
        ),
    },
    "landline-telephony": {
        "de": (
            "Das Festnetztelefon hat seit dem Routerwechsel keinen Ton mehr.",
            "Anrufbeantworter und Rufumleitung aufs Handy einrichten.",
        ),
        "fr": (
            "Le téléphone fixe n'a plus de tonalité depuis le changement de routeur.",
            "Configurer le répondeur et le renvoi d'appel vers le portable.",
        ),
        "it": (
            "Il telefono fisso non ha più linea dal cambio del router.",
            "Impostare la segreteria e il trasferimento di chiamata sul cellulare.",
        ),
        "en": (
            "The landline has no dial tone since the router was replaced.",
            "Set up voicemail and call forwarding to my mobile.",
        ),
    },
    "security-privacy": {
        "de": (
            "Ich habe auf einen verdächtigen Link geklickt, bitte den Computer prüfen.",
            "Passwörter ordnen und einen Passwort-Manager einrichten.",
        ),
        "fr": (
            "J'ai cliqué sur un lien suspect, merci de vérifier l'ordinateur.",
            "Mettre de l'ordre dans mes mots de passe avec un gestionnaire.",
        ),
        "it": (
            "Ho cliccato su un link sospetto, per favore controllare il computer.",
            "Riordinare le password e configurare un gestore di password.",
        ),
        "en": (
            "I clicked a suspicious link; please check the computer.",
            "Sort out my passwords and set up a password manager.",
        ),
    },
}
GENERIC_DESCRIPTION = {
    "de": "Ich brauche Hilfe mit meinem Gerät, es funktioniert nicht wie es sollte.",
    "fr": "J'ai besoin d'aide avec mon appareil, il ne fonctionne pas comme il faut.",
    "it": "Ho bisogno di aiuto con il mio apparecchio, non funziona come dovrebbe.",
    "en": "I need help with my device; it doesn't work the way it should.",
}
ON_BEHALF_PREFIX = {
    "de": ("Für meine Mutter {name}: ", "Für meinen Vater {name}: "),
    "fr": ("Pour ma mère {name} : ", "Pour mon père {name} : "),
    "it": ("Per mia madre {name}: ", "Per mio padre {name}: "),
    "en": ("For my mother {name}: ", "For my father {name}: "),
}
LEAVE_BEHIND: dict[str, dict[str, str]] = {
    "internet-wifi": {
        "de": "Wenn das WLAN hängt: Router 10 Sekunden vom Strom nehmen und 3 Minuten warten. "
        "Das Passwort klebt unten am Router.",
        "fr": "Si le Wi-Fi bloque : débrancher le routeur 10 secondes et attendre 3 minutes. "
        "Le mot de passe est collé sous le routeur.",
        "it": "Se il Wi-Fi si blocca: staccare il router per 10 secondi e attendere 3 minuti. "
        "La password è sotto il router.",
        "en": "If the Wi-Fi hangs: unplug the router for 10 seconds and wait 3 minutes. "
        "The password is on the sticker underneath.",
    },
    "tv-streaming": {
        "de": "Bei schwarzem Bild: auf der Fernbedienung «Source» drücken und HDMI 1 wählen.",
        "fr": "Écran noir : appuyer sur « Source » et choisir HDMI 1.",
        "it": "Schermo nero: premere «Source» sul telecomando e scegliere HDMI 1.",
        "en": "Black screen: press 'Source' on the remote and choose HDMI 1.",
    },
    "smartphone-tablet": {
        "de": "Updates: Einstellungen › Allgemein › Softwareupdate, am besten über Nacht.",
        "fr": "Mises à jour : Réglages › Général › Mise à jour logicielle, la nuit en charge.",
        "it": "Aggiornamenti: Impostazioni › Generali › Aggiornamento software, di notte.",
        "en": "Updates: Settings › General › Software Update, best overnight while charging.",
    },
    "computer-printer": {
        "de": "Druckt er nicht: Drucker aus- und einschalten, dann am Laptop die "
        "Druckerwarteschlange leeren.",
        "fr": "Si rien ne sort : éteindre et rallumer l'imprimante, puis vider la file "
        "d'attente sur l'ordinateur.",
        "it": "Se non stampa: spegnere e riaccendere la stampante, poi svuotare la coda di "
        "stampa sul portatile.",
        "en": "If it won't print: switch the printer off and on, then clear the print queue "
        "on the laptop.",
    },
    "smart-home": {
        "de": "Alle Geräte laufen über die App «Home»; neue Lampen dort mit «+» hinzufügen.",
        "fr": "Tout passe par l'application « Maison » ; ajouter une ampoule avec « + ».",
        "it": "Tutti i dispositivi sono nell'app «Casa»; aggiungere lampadine con «+».",
        "en": "Everything runs through the Home app; add new bulbs there with '+'.",
    },
    "apps-accounts": {
        "de": "Die Ersatzcodes liegen ausgedruckt im Ordner «Wichtig». Nie am Telefon angeben!",
        "fr": "Les codes de secours sont dans le classeur « Important ». Jamais au téléphone !",
        "it": "I codici di riserva sono nel raccoglitore «Importante». Mai darli al telefono!",
        "en": "The backup codes are printed in the 'Important' folder. Never give them out "
        "on the phone!",
    },
    "data-backup-transfer": {
        "de": "Einmal im Monat die Festplatte anschliessen: die Sicherung startet von selbst.",
        "fr": "Une fois par mois, brancher le disque : la sauvegarde démarre toute seule.",
        "it": "Una volta al mese collegare il disco: il backup parte da solo.",
        "en": "Plug in the drive once a month: the backup starts by itself.",
    },
    "landline-telephony": {
        "de": "Rufumleitung ausschalten: #21# wählen und die grüne Taste drücken.",
        "fr": "Désactiver le renvoi : composer #21# puis la touche verte.",
        "it": "Disattivare il trasferimento: comporre #21# e premere il tasto verde.",
        "en": "To switch call forwarding off: dial #21# and press the green key.",
    },
    "security-privacy": {
        "de": "Nur ein Passwort merken: das des Passwort-Managers. Verdächtige Mails löschen.",
        "fr": "Un seul mot de passe à retenir : celui du gestionnaire. Supprimer les e-mails "
        "suspects.",
        "it": "Una sola password da ricordare: quella del gestore. Cancellare le e-mail sospette.",
        "en": "Remember one password only: the password manager's. Delete suspicious e-mails.",
    },
}
WORK_SUMMARIES = {
    "de": (
        "{category}: Problem angeschaut, behoben und zusammen getestet. Alles läuft wieder.",
        "{category}: eingerichtet, Schritt für Schritt erklärt und eine Anleitung dagelassen.",
    ),
    "fr": (
        "{category} : problème analysé, résolu et testé ensemble. Tout fonctionne.",
        "{category} : installé, expliqué pas à pas et laissé un petit mode d'emploi.",
    ),
    "it": (
        "{category}: problema analizzato, risolto e provato insieme. Tutto funziona.",
        "{category}: configurato, spiegato passo per passo e lasciato un promemoria.",
    ),
    "en": (
        "{category}: looked into it, fixed it and tested it together. All working again.",
        "{category}: set up, explained step by step, and left a short how-to.",
    ),
}
CUSTOMER_REVIEWS = {
    "de": {
        5: (
            "Sehr geduldig und kompetent, herzlichen Dank!",
            "Pünktlich, freundlich und alles verständlich erklärt.",
        ),
        4: ("Hat gut geklappt, etwas später als abgemacht.",),
        3: ("Problem gelöst, aber die Erklärungen gingen mir zu schnell.",),
        1: ("Das Problem ist leider immer noch nicht gelöst.",),
    },
    "fr": {
        5: (
            "Très patient et compétent, merci beaucoup !",
            "Ponctuel, aimable et tout bien expliqué.",
        ),
        4: ("Ça a bien marché, avec un peu de retard.",),
        3: ("Problème réglé, mais les explications allaient trop vite.",),
        1: ("Malheureusement le problème n'est toujours pas réglé.",),
    },
    "it": {
        5: (
            "Molto paziente e competente, grazie mille!",
            "Puntuale, gentile e ha spiegato tutto con calma.",
        ),
        4: ("Tutto bene, con un po' di ritardo.",),
        3: ("Problema risolto, ma spiegazioni troppo veloci.",),
        1: ("Purtroppo il problema non è ancora risolto.",),
    },
    "en": {
        5: (
            "Very patient and knowledgeable, thank you!",
            "On time, friendly and explained everything clearly.",
        ),
        4: ("Went well, a little later than agreed.",),
        3: ("Fixed, but the explanations were too quick for me.",),
        1: ("Unfortunately the problem still isn't solved.",),
    },
}
HELPER_REVIEWS = {
    "de": {
        5: (
            "Sehr herzlicher Empfang, gerne wieder.",
            "Alles gut vorbereitet, danke für den Kaffee!",
        ),
        4: ("Angenehmer Besuch.",),
        3: ("Zugangsdaten fehlten, dauerte länger.",),
    },
    "fr": {
        5: (
            "Accueil très chaleureux, avec plaisir la prochaine fois.",
            "Tout était prêt, merci pour le café !",
        ),
        4: ("Visite agréable.",),
        3: ("Il manquait les mots de passe, ça a pris plus de temps.",),
    },
    "it": {
        5: (
            "Accoglienza molto cordiale, volentieri di nuovo.",
            "Tutto pronto, grazie per il caffè!",
        ),
        4: ("Visita piacevole.",),
        3: ("Mancavano le password, ci è voluto più tempo.",),
    },
    "en": {
        5: (
            "Very warm welcome, happy to come again.",
            "Everything was ready, thanks for the coffee!",
        ),
        4: ("Pleasant visit.",),
        3: ("Passwords were missing, so it took longer.",),
    },
}
CUSTOMER_CANCEL_REASONS = {
    "de": ("Mein Sohn konnte es inzwischen lösen.", "Ich muss kurzfristig zum Arzt."),
    "fr": ("Mon fils a pu régler le problème entre-temps.", "Je dois aller chez le médecin."),
    "it": ("Mio figlio ha risolto il problema nel frattempo.", "Devo andare dal medico."),
    "en": ("My son managed to fix it in the meantime.", "I have a doctor's appointment."),
}
HELPER_CANCEL_REASONS = {
    "de": ("Ich bin leider krank geworden.", "Familiärer Notfall, es tut mir leid."),
    "fr": ("Je suis malheureusement malade.", "Urgence familiale, je suis désolé."),
    "it": ("Purtroppo sono malato.", "Emergenza familiare, mi dispiace."),
    "en": ("I'm ill, sorry.", "Family emergency, I'm sorry."),
}
DISPUTE_REASONS = {
    "de": "Es funktioniert immer noch nicht, und es wurde mehr Zeit verrechnet als abgemacht.",
    "fr": "Ça ne marche toujours pas, et plus de temps a été facturé que prévu.",
    "it": "Non funziona ancora, ed è stato fatturato più tempo del previsto.",
    "en": "It still doesn't work, and more time was charged than agreed.",
}
NO_SHOW_BY_CUSTOMER = {
    "de": "Niemand ist gekommen, und ich konnte niemanden erreichen.",
    "fr": "Personne n'est venu et je n'ai pu joindre personne.",
    "it": "Non è venuto nessuno e non sono riuscito a contattare nessuno.",
    "en": "Nobody came and I couldn't reach anyone.",
}
NO_SHOW_BY_HELPER = {
    "de": "Niemand hat geöffnet, zweimal angerufen.",
    "fr": "Personne n'a ouvert, appelé deux fois.",
    "it": "Nessuno ha aperto, chiamato due volte.",
    "en": "Nobody opened; called twice.",
}
WITHDRAW_REASONS = {
    "de": "Hat sich erledigt, danke.",
    "fr": "C'est réglé, merci.",
    "it": "Risolto, grazie.",
    "en": "Sorted it out myself, thanks.",
}
NEW_TIMES_REASONS = {
    "de": "Am Vormittag geht es bei mir leider nicht.",
    "fr": "Le matin ne me convient malheureusement pas.",
    "it": "La mattina purtroppo non mi va bene.",
    "en": "Mornings don't work for me, sorry.",
}
BIOS = {
    "de": "Ich helfe gern bei {skills}. Geduldig, auch mit Einsteigerinnen und Einsteigern.",
    "fr": "J'aide volontiers pour {skills}. Patient, aussi avec les débutants.",
    "it": "Aiuto volentieri con {skills}. Paziente, anche con i principianti.",
    "en": "Happy to help with {skills}. Patient, also with beginners.",
}


# --- Scenarios ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """Where one scenario's visit slot lies and when its request was posted.

    The slot starts within [slot_from, slot_to] of now; the request is posted `lead` before
    the slot, but at the latest `gap` before now.
    """

    slot_from: timedelta
    slot_to: timedelta
    lead_from: timedelta
    lead_to: timedelta
    gap_from: timedelta = timedelta(0)
    gap_to: timedelta = timedelta(0)


# Kinds named after the booking status they end in.
LIVE_BOOKING_KINDS = (
    "awaiting_proposal",
    "proposed",
    "confirmed",
    "on_the_way",
    "in_progress",
    "completed",
    "disputed",
)
# Posted `gap` before now, whenever the slot is.
NO_LEAD = timedelta(0)

KINDS: dict[str, Kind] = {
    # Requests nobody has accepted (yet).
    "open": Kind(DAY, 10 * DAY, NO_LEAD, NO_LEAD, 2 * MINUTE, 15 * MINUTE),
    "withdrawn": Kind(-8 * DAY, 10 * DAY, DAY, 5 * DAY, 2 * HOUR, 3 * DAY),
    "expired": Kind(-14 * DAY, -DAY, DAY, 5 * DAY),
    # Visits, by where they end up.
    "awaiting_proposal": Kind(DAY, 12 * DAY, NO_LEAD, NO_LEAD, 40 * MINUTE, 20 * HOUR),
    "proposed": Kind(DAY, 10 * DAY, NO_LEAD, NO_LEAD, 3 * HOUR, 2 * DAY),
    "confirmed": Kind(8 * HOUR, 20 * DAY, 2 * DAY, 8 * DAY, 10 * HOUR, 3 * DAY),
    "on_the_way": Kind(15 * MINUTE, 90 * MINUTE, DAY, 4 * DAY, DAY, DAY),
    "in_progress": Kind(-40 * MINUTE, 30 * MINUTE, DAY, 4 * DAY, DAY, DAY),
    "completed": Kind(-36 * HOUR, -3 * HOUR, DAY, 6 * DAY),
    "signed_off": Kind(-30 * DAY, -2 * DAY, DAY, 7 * DAY),
    "signed_off_auto": Kind(-25 * DAY, -3 * DAY, DAY, 7 * DAY),
    "disputed": Kind(-9 * DAY, -DAY, DAY, 6 * DAY),
    "dispute_upheld": Kind(-25 * DAY, -6 * DAY, DAY, 6 * DAY),
    "dispute_void": Kind(-25 * DAY, -6 * DAY, DAY, 6 * DAY),
    "cancelled_customer": Kind(-12 * DAY, 14 * DAY, 4 * DAY, 9 * DAY, 12 * HOUR, 3 * DAY),
    "cancelled_customer_late": Kind(-10 * DAY, 18 * HOUR, 2 * DAY, 6 * DAY, DAY, 2 * DAY),
    "cancelled_helper": Kind(-12 * DAY, 14 * DAY, 4 * DAY, 9 * DAY, 12 * HOUR, 3 * DAY),
    "cancelled_helper_late": Kind(-10 * DAY, 18 * HOUR, 2 * DAY, 6 * DAY, DAY, 2 * DAY),
    "cancelled_before_confirming": Kind(-10 * DAY, 10 * DAY, 2 * DAY, 6 * DAY, 6 * HOUR, 2 * DAY),
    "no_show_helper": Kind(-12 * DAY, -2 * HOUR, DAY, 6 * DAY),
    "no_show_customer": Kind(-12 * DAY, -2 * HOUR, DAY, 6 * DAY),
}
# Each is played at least once (given enough requests), so every status shows.
REQUIRED_KINDS: tuple[str, ...] = (*KINDS, "unmatched")
# The rest of the requests, by how common they are.
KIND_WEIGHTS: dict[str, int] = {
    "signed_off": 24,
    "signed_off_auto": 8,
    "confirmed": 10,
    "completed": 5,
    "proposed": 5,
    "awaiting_proposal": 5,
    "open": 6,
    "unmatched": 3,
    "withdrawn": 3,
    "expired": 4,
    "disputed": 1,
    "dispute_upheld": 1,
    "dispute_void": 1,
    "cancelled_customer": 4,
    "cancelled_customer_late": 2,
    "cancelled_helper": 2,
    "cancelled_helper_late": 1,
    "cancelled_before_confirming": 2,
    "no_show_helper": 1,
    "no_show_customer": 1,
    "on_the_way": 1,
    "in_progress": 1,
}
RETRIES = 6
# The kind that ends in each status (bookings prefixed), to fill gaps after the sweep.
STATUS_KINDS: dict[str, str] = {
    **{f"booking:{status}": status for status in LIVE_BOOKING_KINDS},
    "booking:signed_off": "signed_off",
    "booking:cancelled": "cancelled_customer",
    "booking:no_show": "no_show_helper",
    HelpRequestStatus.OPEN: "open",
    HelpRequestStatus.ASSIGNED: "confirmed",
    HelpRequestStatus.UNMATCHED: "unmatched",
    HelpRequestStatus.WITHDRAWN: "withdrawn",
    HelpRequestStatus.EXPIRED: "expired",
    HelpRequestStatus.CLOSED: "signed_off",
}
# People act between 07:00 and 22:00 (Swiss time) when the step's range allows it.
AWAKE_TRIES = 6


class CutShort(Exception):
    """A scenario's next step cannot happen before now; it stops where it is."""


@dataclass
class Person:
    user: User
    point: Point
    locality: Locality
    language: str  # the main one, for texts
    languages: frozenset[str]


@dataclass
class Helper:
    person: Person
    profile: HelperProfile
    skills: frozenset[int]
    radius_km: int
    weekly: list[WeeklyInterval]
    # (min_lat, max_lat, min_lon, max_lon) around home holding everything within reach.
    reach: tuple[float, float, float, float]

    @property
    def user(self) -> User:
        return self.person.user


@dataclass
class Posted:
    """A help request posted for a scenario, with what it was planned around."""

    help_request: HelpRequest
    customer: Person
    anchor: Helper
    category: ServiceCategory
    posted_at: datetime
    slot: datetime
    minutes: int
    windows: list[tuple[datetime, datetime]]
    language: str


@dataclass
class Tally:
    attempted: Counter[str] = field(default_factory=Counter)
    reached: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)


def _ascii(name: str) -> str:
    name = name.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if ch.isascii() and (ch.isalnum() or ch == "-"))


def _is_awake(moment: datetime) -> bool:
    return 7 <= moment.astimezone(SWISS_TIME).hour < 22


def _ceil_quarter(moment: datetime) -> datetime:
    base = moment.replace(second=0, microsecond=0)
    extra = (-base.minute) % 15
    if extra == 0 and base < moment:
        extra = 15
    return base + timedelta(minutes=extra)


class DemoBuilder:
    """Builds the demo community. One instance, one run, inside one transaction."""

    def __init__(self, *, seed: int, progress: Any) -> None:
        self.rng = random.Random(seed)
        self.progress = progress
        self.now = timezone.now().replace(second=0, microsecond=0)
        self.latest = self.now - MINUTE
        self.config: QuartierConfig = config()
        self.password_hash = make_password(DEMO_PASSWORD)
        self.categories = list(ServiceCategory.objects.filter(is_active=True).order_by("pk"))
        self.customers: list[Person] = []
        self.helpers: list[Helper] = []
        self.active_helpers: list[Helper] = []
        self.tally = Tally()
        # Visit slots each helper holds or held, so history never double-books anyone.
        self.busy: dict[int, list[tuple[datetime, datetime]]] = {}
        # Their holidays, so nobody plans a visit then.
        self.away: dict[int, list[tuple[datetime, datetime]]] = {}
        self._eligible_cache: dict[int, list[tuple[float, Helper]]] = {}
        self._email_number = 0
        self._load_places()

    # --- time -----------------------------------------------------------------------------------

    @contextmanager
    def at(self, moment: datetime) -> Iterator[None]:
        """Run the services as if it were `moment` (never later than now)."""
        if moment > self.now:
            raise CutShort(f"{moment} is in the future")
        with time_machine.travel(moment, tick=False):
            yield

    def between(self, low: datetime, high: datetime) -> datetime:
        """A random moment in [low, high], never after now, preferably while people are
        awake; CutShort if there is none."""
        high = min(high, self.latest)
        if high < low:
            raise CutShort("no time left for this step")
        seconds = int((high - low).total_seconds())
        for _ in range(AWAKE_TRIES):
            moment = low + timedelta(seconds=self.rng.randint(0, seconds))
            if _is_awake(moment):
                break
        return moment

    def span(self, low: timedelta, high: timedelta) -> timedelta:
        return timedelta(
            seconds=self.rng.randint(int(low.total_seconds()), int(high.total_seconds()))
        )

    # --- places and people ----------------------------------------------------------------------

    def _load_places(self) -> None:
        swiss = [row for row in localities() if row.is_in_switzerland]
        self.swiss = swiss
        self.cities: list[tuple[list[Locality], list[Locality], int]] = []
        for name, weight in CITIES:
            core = [row for row in swiss if row.name == name]
            if not core:
                continue
            min_lat, max_lat, min_lon, max_lon = bounding_box(core[0].point, SUBURB_RADIUS_M)
            suburbs = [
                row
                for row in swiss
                if row.name != name
                and min_lat <= row.point.latitude <= max_lat
                and min_lon <= row.point.longitude <= max_lon
            ]
            self.cities.append((core, suburbs, weight))
        # Where people who only speak English mostly live.
        self.big_city_rows = {row for core, _, _ in self.cities[:8] for row in core}

    def _draw_locality(self) -> Locality:
        if self.rng.random() < RURAL_SHARE or not self.cities:
            return self.rng.choice(self.swiss)
        core, suburbs, _ = self.rng.choices(self.cities, weights=[c[2] for c in self.cities])[0]
        if suburbs and self.rng.random() < 0.45:
            return self.rng.choice(suburbs)
        return self.rng.choice(core)

    def _jitter(self, point: Point, max_m: float) -> Point:
        distance = max_m * math.sqrt(self.rng.random())
        bearing = self.rng.uniform(0, 2 * math.pi)
        north, east = distance * math.cos(bearing), distance * math.sin(bearing)
        return Point(
            point.latitude + north / 111_320.0,
            point.longitude + east / (111_320.0 * math.cos(math.radians(point.latitude))),
        )

    def _street(self, language: str) -> str:
        number = self.rng.randint(1, 120)
        suffix = "a" if self.rng.random() < 0.08 else ""
        if language == "fr":
            return f"{number}{suffix} {self.rng.choice(STREETS['fr'])}"
        return f"{self.rng.choice(STREETS.get(language, STREETS['de']))} {number}{suffix}"

    def _place_near(self, locality: Locality, language: str, max_m: float) -> Place | None:
        """A street address in `locality`, a little off its centroid, checked like user input."""
        for _ in range(8):
            point = self._jitter(locality.point, max_m)
            if not is_in_switzerland(point):
                continue
            try:
                return resolve_place(
                    street=self._street(language),
                    postal_code=locality.postal_code,
                    locality=locality.name,
                    point=point,
                )
            except ApplicationError:
                return None
        return None

    def _local_language(self, locality: Locality) -> str:
        if locality.language in ("de", "fr", "it"):
            return locality.language
        if locality.language == "multiple":  # Biel/Bienne and other bilingual places
            return "de" if self.rng.random() < 0.6 else "fr"
        return "de"  # Romansh speakers all speak German too

    def _languages(self, local: str, *, english: float, second: float) -> list[str]:
        spoken = {local}
        if self.rng.random() < english:
            spoken.add("en")
        if self.rng.random() < second:
            spoken.add({"de": "fr", "fr": "de", "it": self.rng.choice(("de", "fr"))}[local])
        return sorted(spoken, key=("de", "fr", "it", "en").index)

    def _new_person(self, *, helper: bool, joined: datetime) -> Person:
        while True:
            locality = self._draw_locality()
            local = self._local_language(locality)
            place = self._place_near(locality, local, HOME_JITTER_M)
            if place is not None:
                break
        expat = not helper and locality in self.big_city_rows and self.rng.random() < 0.07
        if expat:
            names_language = "en"
            languages = ["en"] if self.rng.random() < 0.5 else sorted({"en", local})
            preferred = "en"
        else:
            names_language = local
            languages = self._languages(
                local, english=0.7 if helper else 0.35, second=0.3 if helper else 0.2
            )
            preferred = local
        first = self.rng.choice(FIRST_NAMES[names_language])
        last = self.rng.choice(LAST_NAMES[names_language])
        self._email_number += 1
        email = f"{_ascii(first)}.{_ascii(last)}.{self._email_number}@example.ch"
        phone = (
            f"+41 {self.rng.choice(('76', '77', '78', '79'))} {self.rng.randint(100, 999)} "
            f"{self.rng.randint(10, 99)} {self.rng.randint(10, 99)}"
        )
        user = User(
            email=email,
            display_name=f"{first} {last}",
            phone=phone,
            languages=languages,
            preferred_language=preferred,
            password=self.password_hash,
            date_joined=joined,
            home_street=place.street,
            home_postal_code=place.postal_code,
            home_locality=place.locality,
            home_location=place.geojson,
            home_latitude=place.point.latitude,
            home_longitude=place.point.longitude,
        )
        return Person(user, place.point, locality, preferred, frozenset(languages))

    def create_manager(self) -> User:
        home = resolve_place(street="Bollwerk 15", postal_code="3011", locality="Bern")
        manager = User(
            email=MANAGER_EMAIL,
            display_name=SEED_MARKER,
            phone="+41 31 555 01 00",
            languages=["de", "fr", "it", "en"],
            preferred_language="de",
            is_staff=True,
            is_superuser=True,
            password=self.password_hash,
            date_joined=self.now - 800 * DAY,
            home_street=home.street,
            home_postal_code=home.postal_code,
            home_locality=home.locality,
            home_location=home.geojson,
            home_latitude=home.point.latitude,
            home_longitude=home.point.longitude,
        )
        manager.save()
        self.manager = manager
        return manager

    def create_customers(self, count: int) -> None:
        people = [
            self._new_person(helper=False, joined=self.now - self.span(45 * DAY, 700 * DAY))
            for _ in range(count)
        ]
        # People carry no status; one insert, one shared password hash (hashing 600 times
        # would take minutes).
        User.objects.bulk_create([person.user for person in people])
        self.customers = people
        self._tick("customers", count)

    # --- helpers --------------------------------------------------------------------------------

    def _weekly(self) -> list[WeeklyInterval]:
        """Mostly evenings and weekends; some retired or part-time helpers in the daytime."""
        rng = self.rng
        intervals: list[WeeklyInterval] = []
        style = rng.choices(("evenings", "daytime", "student"), weights=(60, 20, 20))[0]
        if style == "evenings":
            for day in sorted(rng.sample(range(5), rng.randint(2, 4))):
                start = rng.choice((clock(17, 30), clock(18, 0), clock(18, 30)))
                end = rng.choice((clock(21, 0), clock(21, 30)))
                intervals.append(WeeklyInterval(day, start, end))
            intervals.append(
                WeeklyInterval(5, clock(9, 0), rng.choice((clock(13, 0), clock(17, 0))))
            )
            if rng.random() < 0.6:
                intervals.append(WeeklyInterval(6, clock(13, 0), clock(18, 0)))
        elif style == "daytime":
            for day in sorted(rng.sample(range(5), rng.randint(3, 5))):
                intervals.append(WeeklyInterval(day, clock(9, 0), clock(12, 0)))
                intervals.append(WeeklyInterval(day, clock(14, 0), clock(17, 30)))
            if rng.random() < 0.5:
                intervals.append(WeeklyInterval(5, clock(9, 0), clock(12, 0)))
        else:
            for day in sorted(rng.sample(range(5), rng.randint(2, 3))):
                intervals.append(WeeklyInterval(day, clock(13, 0), clock(21, 0)))
            intervals.append(WeeklyInterval(5, clock(10, 0), clock(18, 0)))
            intervals.append(WeeklyInterval(6, clock(10, 0), clock(18, 0)))
        return intervals

    def create_helpers(self, count: int) -> None:
        approvals: list[str] = [ApprovalStatus.APPROVED] * count
        if count >= 10:
            applied = max(1, round(count * 0.1))
            suspended = max(1, round(count * 0.05))
            picked = self.rng.sample(range(count), applied + suspended)
            for position, index in enumerate(picked):
                approvals[index] = (
                    ApprovalStatus.APPLIED if position < applied else ApprovalStatus.SUSPENDED
                )
        people: list[tuple[Person, datetime, str]] = []
        for approval in approvals:
            if approval == ApprovalStatus.APPLIED:
                applied_at = self.now - self.span(6 * HOUR, 20 * DAY)
            else:
                # Approved well before the oldest history, so they could have had those offers.
                applied_at = self.now - self.span(60 * DAY, 500 * DAY)
            person = self._new_person(helper=True, joined=applied_at - self.span(0 * DAY, 3 * DAY))
            people.append((person, applied_at, approval))
        User.objects.bulk_create([person.user for person, _, _ in people])
        for person, applied_at, approval in people:
            skills = self.rng.sample(
                self.categories, self.rng.randint(1, min(4, len(self.categories)))
            )
            skill_names = ", ".join(c.name_in(person.language) for c in skills)
            weekly = self._weekly()
            with self.at(applied_at):
                profile = helper_apply(
                    user=person.user,
                    skills=skills,
                    service_radius_km=self.rng.randint(3, 25),
                    hourly_rate_minor=self.rng.randrange(3000, 6001, 500),
                    bio=BIOS[person.language].format(skills=skill_names),
                )
                helper_set_weekly_availability(helper=profile, intervals=weekly)
            if approval != ApprovalStatus.APPLIED:
                with self.at(applied_at + self.span(DAY, 10 * DAY)):
                    profile = helper_approve(
                        helper=profile,
                        actor=self.manager,
                        note="Interview done, ID and references checked, training passed.",
                    )
            if approval == ApprovalStatus.SUSPENDED:
                with self.at(self.now - self.span(DAY, 20 * DAY)):
                    profile = helper_suspend(
                        helper=profile,
                        actor=self.manager,
                        note="Complaints about punctuality; paused until we have talked.",
                    )
            reach_m = min(profile.service_radius_km, self.config.match_max_radius_km) * 1000.0
            helper = Helper(
                person=person,
                profile=profile,
                skills=frozenset(c.pk for c in skills),
                radius_km=profile.service_radius_km,
                weekly=weekly,
                reach=bounding_box(person.point, reach_m),
            )
            self.helpers.append(helper)
            self._tick("helpers", 1)
        approved = [h for h in self.helpers if h.profile.approval_status == ApprovalStatus.APPROVED]
        for helper in approved:
            if self.rng.random() < 0.03:
                helper_profile_update(helper=helper.profile, is_accepting_jobs=False)
        self.active_helpers = [h for h in approved if h.profile.is_accepting_jobs]
        self._add_exceptions(approved)

    def _add_exceptions(self, approved: Sequence[Helper]) -> None:
        for helper in approved:
            roll = self.rng.random()
            if roll < 0.10:
                starts = self._local_midnight(self.now + self.span(3 * DAY, 25 * DAY))
                ends = starts + self.rng.randint(2, 10) * DAY
                with self.at(self.now - self.span(HOUR, 5 * DAY)):
                    availability_exception_add(
                        helper=helper.profile,
                        kind=ExceptionKind.UNAVAILABLE,
                        starts_at=starts,
                        ends_at=ends,
                        note=self.rng.choice(("Ferien", "Vacances", "Vacanze", "Holiday")),
                    )
                self.away.setdefault(helper.profile.pk, []).append((starts, ends))
            elif roll < 0.15:
                day = self._local_midnight(self.now + self.span(2 * DAY, 20 * DAY))
                with self.at(self.now - self.span(HOUR, 5 * DAY)):
                    availability_exception_add(
                        helper=helper.profile,
                        kind=ExceptionKind.AVAILABLE,
                        starts_at=day + 9 * HOUR,
                        ends_at=day + 16 * HOUR,
                        note="Day off work: free all day",
                    )

    @staticmethod
    def _local_midnight(moment: datetime) -> datetime:
        local = moment.astimezone(SWISS_TIME)
        return datetime.combine(local.date(), clock(0, 0), tzinfo=SWISS_TIME)

    # --- matching, as planned here ----------------------------------------------------------

    def _eligible(self, point: Point, languages: frozenset[str]) -> list[tuple[float, Helper]]:
        """Helpers that matching would consider for a request at `point`, nearest first
        (ignoring their hours): approved, accepting, within both radii, sharing a language."""
        max_m = float(self.config.match_max_radius_km) * 1000.0
        found: list[tuple[float, Helper]] = []
        for helper in self.active_helpers:
            min_lat, max_lat, min_lon, max_lon = helper.reach
            if not (min_lat <= point.latitude <= max_lat and min_lon <= point.longitude <= max_lon):
                continue
            if not languages & helper.person.languages:
                continue
            distance = geodesic_m(point, helper.person.point)
            if distance <= min(max_m, helper.radius_km * 1000.0):
                found.append((distance, helper))
        found.sort(key=lambda item: (item[0], item[1].profile.pk))
        return found

    def _eligible_for(self, customer: Person) -> list[tuple[float, Helper]]:
        key = customer.user.pk
        if key not in self._eligible_cache:
            self._eligible_cache[key] = self._eligible(customer.point, customer.languages)
        return self._eligible_cache[key]

    def _open_requests(self, customer: Person) -> int:
        return HelpRequest.objects.filter(
            customer=customer.user,
            status__in=(HelpRequestStatus.OPEN, HelpRequestStatus.UNMATCHED),
        ).count()

    def _shuffled_customers(self) -> list[Person]:
        order = list(self.customers)
        self.rng.shuffle(order)
        return order

    def _occurrences(
        self, helper: Helper, start: datetime, end: datetime
    ) -> list[tuple[datetime, datetime]]:
        """The helper's weekly hours as concrete intervals between start and end."""
        found = []
        first = start.astimezone(SWISS_TIME).date()
        last = end.astimezone(SWISS_TIME).date()
        for offset in range((last - first).days + 1):
            day = first + timedelta(days=offset)
            for interval in helper.weekly:
                if interval.weekday != day.weekday():
                    continue
                begins = datetime.combine(day, interval.start_time, tzinfo=SWISS_TIME)
                ends = datetime.combine(day, interval.end_time, tzinfo=SWISS_TIME)
                if ends > start and begins < end:
                    found.append((begins, ends))
        return found

    def _is_busy(self, helper: Helper, start: datetime, end: datetime) -> bool:
        """Whether the helper has a visit then, or is on holiday."""
        taken = (*self.busy.get(helper.profile.pk, ()), *self.away.get(helper.profile.pk, ()))
        return any(s < end and start < e for s, e in taken)

    def _slots_in(
        self,
        windows: Sequence[tuple[datetime, datetime]],
        minutes: int,
        low: datetime,
        high: datetime,
    ) -> list[datetime]:
        length = timedelta(minutes=minutes)
        starts = []
        for window_start, window_end in windows:
            moment = _ceil_quarter(max(window_start, low))
            while moment + length <= window_end and moment <= high:
                starts.append(moment)
                moment += QUARTER
        return starts

    # --- posting ------------------------------------------------------------------------------

    def _description(self, slug: str, language: str) -> str:
        texts = DESCRIPTIONS.get(slug, {}).get(language)
        return self.rng.choice(texts) if texts else GENERIC_DESCRIPTION[language]

    def _post(self, kind_name: str) -> Posted | None:
        """Post a request that the anchor helper (near the customer, skilled, sharing a
        language) is free for, with a slot in the kind's range inside their hours."""
        kind = KINDS[kind_name]
        limit = self.config.max_open_requests_per_customer
        low = self.now + kind.slot_from
        high = self.now + kind.slot_to
        fallback: tuple[Person, Helper, Place | None] | None = None
        for tries, customer in enumerate(self._shuffled_customers()):
            if tries >= 12:
                break
            if self._open_requests(customer) >= limit:
                continue
            place: Place | None = None
            if customer.language in PARENT_NAMES and self.rng.random() < 0.15:
                place = self._place_near(customer.locality, customer.language, 300.0)
            point = place.point if place is not None else customer.point
            eligible = (
                self._eligible(point, customer.languages)
                if place is not None
                else self._eligible_for(customer)
            )
            if not eligible:
                continue
            anchor = self.rng.choice(eligible[:5])[1]
            category = self.rng.choice([c for c in self.categories if c.pk in anchor.skills])
            minutes = category.typical_duration_minutes + self.rng.choice((0, 0, 0, 30))
            length = timedelta(minutes=minutes)
            starts = [
                start
                for begins, ends in self._occurrences(anchor, low, high + length)
                for start in self._slots_in([(begins, ends)], minutes, low, high)
                if not self._is_busy(anchor, start, start + length)
            ]
            if not starts:
                fallback = fallback or (customer, anchor, place)
                continue
            return self._post_for(
                kind_name, customer, anchor, category, self.rng.choice(starts), minutes, place
            )
        if fallback is None:
            return None
        # Nobody's weekly hours fit (a visit right now, at night): the helper made extra time.
        customer, anchor, place = fallback
        category = self.rng.choice([c for c in self.categories if c.pk in anchor.skills])
        minutes = category.typical_duration_minutes
        slot = _ceil_quarter(low + self.span(timedelta(0), high - low))
        if self._is_busy(anchor, slot, slot + timedelta(minutes=minutes)):
            return None
        return self._post_for(
            kind_name, customer, anchor, category, slot, minutes, place, extra_time=True
        )

    def _post_for(
        self,
        kind_name: str,
        customer: Person,
        anchor: Helper,
        category: ServiceCategory,
        slot: datetime,
        minutes: int,
        place: Place | None,
        *,
        extra_time: bool = False,
    ) -> Posted:
        kind = KINDS[kind_name]
        rng = self.rng
        length = timedelta(minutes=minutes)
        for _ in range(AWAKE_TRIES):
            posted_at = min(
                slot - self.span(kind.lead_from, kind.lead_to),
                self.now - self.span(kind.gap_from, kind.gap_to),
                self.latest,
            ).replace(microsecond=0)
            if _is_awake(posted_at):
                break
        window_start = max(
            slot - rng.choice((0, 1, 2, 4, 6)) * QUARTER * 2, _ceil_quarter(posted_at)
        )
        window_end = slot + length + rng.choice((0, 1, 2, 4)) * QUARTER * 2
        windows = [(window_start, window_end)]
        if rng.random() < 0.35:
            day = self._local_midnight(slot) + rng.choice((-2, -1, 1, 2, 3)) * DAY
            extra = (day + 18 * HOUR, day + 20 * HOUR + 30 * MINUTE)
            apart = extra[1] <= window_start or extra[0] >= window_end
            # An expired request's windows must all have passed.
            passed = kind_name != "expired" or extra[1] < self.latest
            if extra[0] > posted_at and apart and passed:
                windows.append(extra)
        windows.sort()
        language = customer.language
        description = self._description(category.slug, language)
        on_behalf_name = on_behalf_phone = ""
        address = services.AddressInput(
            street=customer.user.home_street,
            postal_code=customer.user.home_postal_code,
            locality=customer.user.home_locality,
            point=customer.point,
        )
        if place is not None:
            is_mother = rng.random() < 0.65
            parent = rng.choice(PARENT_NAMES[language][0 if is_mother else 1])
            surname = customer.user.display_name.split(" ", 1)[-1]
            on_behalf_name = f"{parent} {surname}"
            area = AREA_CODES.get(customer.locality.canton, "44")
            on_behalf_phone = (
                f"+41 {area} {rng.randint(200, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
            )
            prefix = ON_BEHALF_PREFIX[language][0 if is_mother else 1]
            description = prefix.format(name=parent) + description
            address = services.AddressInput(
                street=place.street,
                postal_code=place.postal_code,
                locality=place.locality,
                point=place.point,
            )
        with self.at(posted_at):
            if extra_time:
                availability_exception_add(
                    helper=anchor.profile,
                    kind=ExceptionKind.AVAILABLE,
                    starts_at=slot - 30 * MINUTE,
                    ends_at=slot + length + 30 * MINUTE,
                    note="Extra time for a neighbour",
                )
            help_request = services.help_request_create(
                customer=customer.user,
                category=category,
                description=description,
                address=address,
                windows=windows,
                on_behalf_name=on_behalf_name,
                on_behalf_phone=on_behalf_phone,
            )
            help_request.refresh_from_db(fields=["status"])
        return Posted(
            help_request=help_request,
            customer=customer,
            anchor=anchor,
            category=category,
            posted_at=posted_at,
            slot=slot,
            minutes=minutes,
            windows=windows,
            language=language,
        )

    def _pending(self, help_request: HelpRequest) -> list[Offer]:
        return list(
            Offer.objects.filter(help_request=help_request, status=OfferStatus.PENDING).order_by(
                "rank", "pk"
            )
        )

    def _helper_of(self, offer: Offer) -> Helper:
        return self._helpers_by_pk[offer.helper_id]

    def _dispatch(self, help_request: HelpRequest) -> None:
        """What the worker does after a decline or a broken booking: offer it to others."""
        help_request.refresh_from_db(fields=["status"])
        if help_request.status == HelpRequestStatus.OPEN:
            services.offers_dispatch(help_request=help_request)

    def _maybe_decline(self, posted: Posted, keep: Offer | None, until: datetime) -> None:
        """Sometimes one helper says no first; another offer always stays pending (declining
        the only one would leave the request unmatched)."""
        pending = self._pending(posted.help_request)
        others = [o for o in pending if keep is None or o.pk != keep.pk]
        if len(pending) < 2 or not others or self.rng.random() >= 0.35:
            return
        offer = self.rng.choice(others)
        moment = self.between(posted.posted_at + 2 * MINUTE, until)
        with self.at(moment):
            services.offer_decline(
                offer=offer,
                actor=self._helper_of(offer).user,
                reason=self.rng.choice(DeclineReason.values),
            )
            self._dispatch(posted.help_request)

    def _text_language(self, posted: Posted, helper: Helper) -> str:
        if posted.language in helper.person.languages:
            return posted.language
        shared = sorted(posted.customer.languages & helper.person.languages)
        return shared[0] if shared else "en"

    # --- scenarios ----------------------------------------------------------------------------

    def run_kind(self, kind_name: str) -> bool:
        """Try one scenario; True when it reached its planned end."""
        self.tally.attempted[kind_name] += 1
        try:
            reached = self._unmatched() if kind_name == "unmatched" else self._scenario(kind_name)
        except CutShort:
            reached = False
        except ApplicationError as error:
            # A refused step (double-booked, too early...): the scenario stops where it is.
            self.tally.refused[error.code] += 1
            reached = False
        if reached:
            self.tally.reached[kind_name] += 1
        return reached

    def _unmatched(self) -> bool:
        limit = self.config.max_open_requests_per_customer
        for customer in self._shuffled_customers():
            if self._open_requests(customer) >= limit:
                continue
            covered = {pk for _, helper in self._eligible_for(customer) for pk in helper.skills}
            missing = [c for c in self.categories if c.pk not in covered]
            if not missing:
                continue
            category = self.rng.choice(missing)
            day = self._local_midnight(self.now + self.span(DAY, 10 * DAY))
            start = day + self.rng.choice((9, 10, 14, 17, 18)) * HOUR
            with self.at(self.between(self.now - 2 * DAY, self.now - 10 * MINUTE)):
                help_request = services.help_request_create(
                    customer=customer.user,
                    category=category,
                    description=self._description(category.slug, customer.language),
                    address=services.AddressInput(
                        street=customer.user.home_street,
                        postal_code=customer.user.home_postal_code,
                        locality=customer.user.home_locality,
                        point=customer.point,
                    ),
                    windows=[(start, start + 3 * HOUR)],
                )
            # help_request_create returns the status as posted, before matching moved it.
            help_request.refresh_from_db(fields=["status"])
            return help_request.status == HelpRequestStatus.UNMATCHED
        return False

    def _choose_offer(
        self, posted: Posted, low: datetime, high: datetime
    ) -> tuple[Offer, Helper, datetime] | None:
        """The pending offer to accept and its visit slot: the anchor's if it got one, else
        the first helper with a free slot in the kind's range."""
        offers = self._pending(posted.help_request)
        offers.sort(key=lambda o: (o.helper_id != posted.anchor.profile.pk, o.rank))
        length = timedelta(minutes=posted.minutes)
        for offer in offers:
            helper = self._helper_of(offer)
            if helper is posted.anchor and not self._is_busy(
                helper, posted.slot, posted.slot + length
            ):
                return offer, helper, posted.slot
            starts = [
                s
                for s in self._slots_in(posted.windows, posted.minutes, low, high)
                if not self._is_busy(helper, s, s + length)
            ]
            if not starts:
                continue
            index = AvailabilityIndex(
                [helper.profile.pk], posted.windows[0][0], posted.windows[-1][1]
            )
            free = [s for s in starts if index.is_free(helper.profile.pk, s, s + length)]
            return offer, helper, self.rng.choice(free or starts)
        return None

    def _scenario(self, kind_name: str) -> bool:
        kind = KINDS[kind_name]
        rng = self.rng
        posted = self._post(kind_name)
        if posted is None:
            return False
        help_request = posted.help_request
        if help_request.status != HelpRequestStatus.OPEN:
            return False  # unmatched after all: a believable case, but not this one
        if kind_name == "open":
            if self.latest - posted.posted_at >= 2 * MINUTE:
                self._maybe_decline(posted, None, self.latest)
            help_request.refresh_from_db(fields=["status"])
            return help_request.status == HelpRequestStatus.OPEN
        if kind_name == "expired":
            self._maybe_decline(posted, None, posted.posted_at + 20 * MINUTE)
            return True  # the sweep at the end expires it: every window has passed
        if kind_name == "withdrawn":
            self._maybe_decline(posted, None, posted.posted_at + 5 * MINUTE)
            with self.at(
                self.between(posted.posted_at + 6 * MINUTE, posted.posted_at + 25 * MINUTE)
            ):
                services.help_request_withdraw(
                    help_request=help_request, reason=WITHDRAW_REASONS[posted.language]
                )
            return True

        choice = self._choose_offer(posted, self.now + kind.slot_from, self.now + kind.slot_to)
        if choice is None:
            return False
        offer, helper, slot = choice
        length = timedelta(minutes=posted.minutes)
        customer = posted.customer.user
        helper_user = helper.user
        language = self._text_language(posted, helper)
        self._maybe_decline(posted, offer, posted.posted_at + 5 * MINUTE)
        accepted_at = self.between(posted.posted_at + 6 * MINUTE, posted.posted_at + 25 * MINUTE)
        with self.at(accepted_at):
            booking = services.offer_accept(offer=offer, actor=helper_user)
        if kind_name == "awaiting_proposal":
            return True

        # The helper proposes the slot, sometimes with alternatives.
        proposed_at = self.between(
            accepted_at + 20 * MINUTE, min(accepted_at + 3 * HOUR, slot - 90 * MINUTE)
        )
        alternatives = [
            s
            for s in self._slots_in(
                posted.windows, posted.minutes, proposed_at + HOUR, slot + 30 * DAY
            )
            if abs(s - slot) >= HOUR and not self._is_busy(helper, s, s + length)
        ]
        extra = rng.sample(alternatives, min(len(alternatives), rng.choice((0, 0, 1, 2))))
        slots = [services.SlotInput(s, s + length) for s in sorted([slot, *extra])]
        with self.at(proposed_at):
            booking = services.booking_propose(booking=booking, actor=helper_user, slots=slots)
        if kind_name == "proposed":
            return True
        if kind_name == "cancelled_before_confirming":
            with self.at(self.between(proposed_at + HOUR, proposed_at + 2 * DAY)):
                services.booking_cancel(
                    booking=booking,
                    actor=customer,
                    reason=rng.choice(CUSTOMER_CANCEL_REASONS[posted.language]),
                )
            return True
        if rng.random() < 0.1 and slot - proposed_at > 6 * HOUR:
            # None of the times suits at first; the helper proposes again.
            asked_at = self.between(proposed_at + 30 * MINUTE, proposed_at + 2 * HOUR)
            with self.at(asked_at):
                booking = services.booking_request_new_times(
                    booking=booking, actor=customer, reason=NEW_TIMES_REASONS[posted.language]
                )
            proposed_at = self.between(asked_at + 20 * MINUTE, asked_at + 2 * HOUR)
            with self.at(proposed_at):
                booking = services.booking_propose(
                    booking=booking,
                    actor=helper_user,
                    slots=[services.SlotInput(slot, slot + length)],
                )

        confirmed_at = self.between(
            proposed_at + 10 * MINUTE, min(proposed_at + 8 * HOUR, slot - HOUR)
        )
        with self.at(confirmed_at):
            proposal = booking.proposals.get(starts_at=slot, status=ProposalStatus.PROPOSED)
            booking = services.booking_confirm(booking=booking, actor=customer, proposal=proposal)
        self.busy.setdefault(helper.profile.pk, []).append((slot, slot + length))
        if kind_name == "confirmed":
            return True

        if kind_name.startswith("cancelled_"):
            late = kind_name.endswith("_late")
            by_helper = "helper" in kind_name
            if late:
                moment = self.between(
                    max(confirmed_at + 10 * MINUTE, slot - 20 * HOUR), slot - 15 * MINUTE
                )
            else:
                moment = self.between(confirmed_at + 30 * MINUTE, slot - 25 * HOUR)
            reasons = (
                HELPER_CANCEL_REASONS[language]
                if by_helper
                else CUSTOMER_CANCEL_REASONS[posted.language]
            )
            with self.at(moment):
                services.booking_cancel(
                    booking=booking,
                    actor=helper_user if by_helper else customer,
                    reason=rng.choice(reasons),
                )
                self.busy[helper.profile.pk].remove((slot, slot + length))
                if by_helper:
                    self._dispatch(help_request)
            return True
        if kind_name == "no_show_helper":
            with self.at(self.between(slot + 35 * MINUTE, slot + 90 * MINUTE)):
                services.booking_report_no_show(
                    booking=booking, actor=customer, note=NO_SHOW_BY_CUSTOMER[posted.language]
                )
                self._dispatch(help_request)
            return True

        # The visit: on the way (mostly), checked in, checked out.
        checked_in_at = slot + self.span(-10 * MINUTE, 5 * MINUTE)
        journey_at: datetime | None = None
        if kind_name == "in_progress":
            checked_in_at = min(self.latest, checked_in_at)
            if rng.random() < 0.8:
                journey_at = checked_in_at - self.span(15 * MINUTE, 35 * MINUTE)
        elif kind_name == "on_the_way":
            journey_at = self.between(
                max(confirmed_at + MINUTE, self.now - 10 * MINUTE), self.latest
            )
        elif kind_name == "no_show_customer" or rng.random() < 0.85:
            journey_at = self.between(slot - 45 * MINUTE, slot - 15 * MINUTE)
        if journey_at is not None:
            eta = max(
                1, min(240, round((slot - journey_at).total_seconds() / 60) + rng.randint(-5, 5))
            )
            with self.at(journey_at):
                booking = services.booking_start_journey(
                    booking=booking, actor=helper_user, eta_minutes=eta
                )
        if kind_name == "on_the_way":
            return True
        if kind_name == "no_show_customer":
            with self.at(self.between(slot + 35 * MINUTE, slot + 50 * MINUTE)):
                services.booking_report_no_show(
                    booking=booking, actor=helper_user, note=NO_SHOW_BY_HELPER[language]
                )
            return True
        with self.at(checked_in_at):
            booking = services.booking_check_in(booking=booking, actor=helper_user)
        if kind_name == "in_progress":
            return True
        checked_out_at = self.between(
            checked_in_at + length - 10 * MINUTE, checked_in_at + length + 25 * MINUTE
        )
        category_name = posted.category.name_in(language)
        with self.at(checked_out_at):
            booking = services.booking_check_out(
                booking=booking,
                actor=helper_user,
                work_summary=rng.choice(WORK_SUMMARIES[language]).format(category=category_name),
                leave_behind_note=LEAVE_BEHIND.get(posted.category.slug, {}).get(language, ""),
            )
        if kind_name in ("completed", "signed_off_auto"):
            return True  # signed_off_auto: the sweep signs it off, 48 hours having passed

        if kind_name.startswith("dispute"):
            disputed_at = self.between(checked_out_at + HOUR, checked_out_at + 20 * HOUR)
            with self.at(disputed_at):
                booking = services.booking_dispute(
                    booking=booking, actor=customer, reason=DISPUTE_REASONS[posted.language]
                )
            if kind_name == "disputed":
                return True
            resolved_at = self.between(disputed_at + DAY, disputed_at + 3 * DAY)
            with self.at(resolved_at):
                if kind_name == "dispute_upheld":
                    booking = services.booking_resolve_dispute(
                        booking=booking,
                        actor=self.manager,
                        outcome=services.DisputeOutcome.VISIT_STANDS,
                        note="Called both sides: the work was done as agreed; price explained.",
                    )
                else:
                    booking = services.booking_resolve_dispute(
                        booking=booking,
                        actor=self.manager,
                        outcome=services.DisputeOutcome.VISIT_VOID,
                        note="The problem was not fixed: visit void, nothing to pay.",
                        caused_by=rng.choice((Party.HELPER, Party.NOBODY)),
                    )
                    return True
            self._reviews(booking, resolved_at, posted, helper, language)
            return True

        signed_off_at = self.between(checked_out_at + 30 * MINUTE, checked_out_at + 30 * HOUR)
        with self.at(signed_off_at):
            booking = services.booking_sign_off(booking=booking, actor=customer)
        self._reviews(booking, signed_off_at, posted, helper, language)
        return True

    def _reviews(
        self,
        booking: Booking,
        signed_off_at: datetime,
        posted: Posted,
        helper: Helper,
        language: str,
    ) -> None:
        """Both sides, one side (hidden until the window closes) or nobody."""
        rng = self.rng
        sides = rng.choices(("both", "customer", "helper", "none"), weights=(50, 20, 10, 20))[0]
        window_end = signed_off_at + timedelta(days=self.config.review_window_days) - HOUR
        if sides in ("both", "customer"):
            rating = rng.choices((5, 4, 3, 2, 1), weights=(60, 28, 8, 3, 1))[0]
            text = rng.choice(CUSTOMER_REVIEWS[posted.language][rating if rating >= 3 else 1])
            try:
                moment = self.between(
                    signed_off_at + HOUR, min(signed_off_at + 3 * DAY, window_end)
                )
            except CutShort:
                return
            with self.at(moment):
                services.review_submit(
                    booking=booking, actor=posted.customer.user, rating=rating, text=text
                )
        if sides in ("both", "helper"):
            rating = rng.choices((5, 4, 3), weights=(70, 25, 5))[0]
            text = rng.choice(HELPER_REVIEWS[language][rating])
            try:
                moment = self.between(
                    signed_off_at + 2 * HOUR, min(signed_off_at + 5 * DAY, window_end)
                )
            except CutShort:
                return
            with self.at(moment):
                services.review_submit(booking=booking, actor=helper.user, rating=rating, text=text)

    # --- the whole run ------------------------------------------------------------------------

    def _tick(self, stage: str, count: int) -> None:
        bar = self._bars.get(stage)
        if bar is not None:
            bar.update(count)

    def build(self, *, helpers: int, customers: int, requests: int) -> None:
        self._bars: dict[str, tqdm] = {}
        self.create_manager()
        for stage, total in (("customers", customers), ("helpers", helpers)):
            self._bars[stage] = tqdm(
                total=total,
                desc=stage,
                unit="",
                file=self.progress,
                disable=self.progress is None,
                leave=True,
            )
            if stage == "customers":
                self.create_customers(customers)
            else:
                self.create_helpers(helpers)
            self._bars[stage].close()
        self._helpers_by_pk = {h.profile.pk: h for h in self.helpers}

        plan = list(REQUIRED_KINDS[:requests])
        fill = max(0, requests - len(plan))
        plan += self.rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()), k=fill)
        self.rng.shuffle(plan)
        bar = tqdm(
            total=len(plan),
            desc="requests",
            unit="",
            file=self.progress,
            disable=self.progress is None,
        )
        for kind_name in plan:
            self.run_kind(kind_name)
            bar.update(1)
        # Retry the kinds that never came out as planned.
        for kind_name in REQUIRED_KINDS[:requests]:
            for _ in range(RETRIES):
                if self.tally.reached[kind_name]:
                    break
                bar.total += 1
                self.run_kind(kind_name)
                bar.update(1)
        # What the worker would have done meanwhile: sign off old visits, expire the rest.
        self.swept = Counter(services.sweep_due_work())
        # Every status shows at least once in the end, whatever the sweep made of things.
        for _ in range(RETRIES if requests >= len(REQUIRED_KINDS) else 0):
            missing = self._missing_statuses()
            if not missing:
                break
            for kind_name in missing:
                bar.total += 1
                self.run_kind(kind_name)
                bar.update(1)
            self.swept.update(services.sweep_due_work())
        bar.close()

    def _missing_statuses(self) -> list[str]:
        """The kinds to play again for the booking and request statuses not shown yet."""
        customers = [person.user.pk for person in self.customers]
        requests = HelpRequest.objects.filter(customer_id__in=customers)
        shown = set(requests.values_list("status", flat=True)) | {
            f"booking:{status}"
            for status in Booking.objects.filter(help_request__in=requests).values_list(
                "status", flat=True
            )
        }
        return sorted({kind for status, kind in STATUS_KINDS.items() if status not in shown})


# --- summary -------------------------------------------------------------------------------------


def _counts(queryset: Any, values: Sequence[str]) -> list[tuple[str, int]]:
    found = dict(
        queryset.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return [(value, found.get(value, 0)) for value in values]


def _demo_users() -> Any:
    query = Q()
    for domain in DEMO_EMAIL_DOMAINS:
        query |= Q(email__endswith=domain)
    return User.objects.filter(query)


def summary_lines() -> list[str]:
    demo_users = _demo_users()
    helpers = HelperProfile.objects.filter(user__in=demo_users)
    requests = HelpRequest.objects.filter(customer__in=demo_users)
    bookings = Booking.objects.filter(help_request__in=requests)
    offers = Offer.objects.filter(help_request__in=requests)
    reviews = Review.objects.filter(booking__in=bookings)
    approval = dict(
        helpers.order_by()
        .values("approval_status")
        .annotate(n=Count("pk"))
        .values_list("approval_status", "n")
    )
    rows: list[tuple[str, str | int]] = [("people", "")]
    rows += [
        ("  community managers", demo_users.filter(is_staff=True).count()),
        ("  customers", demo_users.filter(is_staff=False, helper_profile__isnull=True).count()),
    ]
    rows += [(f"  helpers {status}", approval.get(status, 0)) for status in ApprovalStatus.values]
    rows.append(
        (
            "  availability exceptions",
            AvailabilityException.objects.filter(helper__in=helpers).count(),
        )
    )
    rows.append(("help requests", requests.count()))
    rows += [(f"  {status}", n) for status, n in _counts(requests, HelpRequestStatus.values)]
    rows.append(("  on behalf of a relative", requests.exclude(on_behalf_name="").count()))
    rows.append(("bookings", bookings.count()))
    rows += [(f"  {status}", n) for status, n in _counts(bookings, BookingStatus.values)]
    rows.append(
        ("  signed off automatically", bookings.filter(signed_off_automatically=True).count())
    )
    rows.append(("  late cancellations", bookings.filter(is_late_cancellation=True).count()))
    rows.append(("offers", offers.count()))
    rows += [(f"  {status}", n) for status, n in _counts(offers, OfferStatus.values)]
    rows.append(("reviews", reviews.count()))
    rows.append(("  published", reviews.filter(published_at__isnull=False).count()))
    rows.append(
        ("  hidden (other side not yet)", reviews.filter(published_at__isnull=True).count())
    )
    width = max(len(label) for label, _ in rows) + 2
    lines = [f"{label.ljust(width)}{str(value).rjust(6)}" for label, value in rows]

    customer = (
        demo_users.filter(is_staff=False, helper_profile__isnull=True)
        .annotate(n=Count("help_requests__bookings"))
        .order_by("-n", "pk")
        .first()
    )
    helper = (
        helpers.filter(approval_status=ApprovalStatus.APPROVED)
        .annotate(n=Count("bookings"))
        .order_by("-n", "pk")
        .select_related("user")
        .first()
    )
    lines += [
        "",
        f"Demo log-ins (password for all of them: {DEMO_PASSWORD})",
        f"  community manager  {MANAGER_EMAIL}  (back office: /admin/)",
    ]
    if customer is not None:
        lines.append(f"  customer           {customer.email}")
    if helper is not None:
        lines.append(f"  helper             {helper.user.email}")
    return lines


def delete_demo_data() -> int:
    """Delete the demo people and everything hanging off them. Returns how many people."""
    demo_users = _demo_users()
    helpers = HelperProfile.objects.filter(user__in=demo_users)
    request_ids = list(
        HelpRequest.objects.filter(
            Q(customer__in=demo_users)
            | Q(offers__helper__in=helpers)
            | Q(assigned_helper__in=helpers)
        )
        .distinct()
        .values_list("pk", flat=True)
    )
    booking_ids = list(
        Booking.objects.filter(
            Q(help_request_id__in=request_ids) | Q(helper__in=helpers)
        ).values_list("pk", flat=True)
    )
    Review.objects.filter(booking_id__in=booking_ids).delete()
    Booking.objects.filter(pk__in=booking_ids).delete()
    HelpRequest.objects.filter(pk__in=request_ids).delete()
    _delete_queued_tasks(set(request_ids), set(booking_ids))
    count = demo_users.count()
    demo_users.delete()
    return count


def _delete_queued_tasks(request_ids: set[int], booking_ids: set[int]) -> None:
    """Tasks still queued for deleted rows would otherwise act on whatever reuses the ids."""
    from django_tasks_db.models import DBTaskResult

    targets = {
        "bookings.tasks.dispatch_offers": request_ids,
        "bookings.tasks.expire_offers": request_ids,
        "bookings.tasks.auto_sign_off": booking_ids,
        "bookings.tasks.close_review_window": booking_ids,
    }
    stale = [
        task.pk
        for task in DBTaskResult.objects.ready().filter(task_path__in=list(targets))
        if (task.args_kwargs.get("args") or [None])[0] in targets[task.task_path]
    ]
    DBTaskResult.objects.filter(pk__in=stale).delete()


class Command(BaseCommand):
    help = (
        "Fill the database with a believable demo community: a community manager, helpers and "
        "customers around Swiss cities, and help requests and visits in every state, all made "
        "through the services. Idempotent; --reset rebuilds it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--helpers", type=int, default=300, help="How many helpers.")
        parser.add_argument("--customers", type=int, default=300, help="How many customers.")
        parser.add_argument(
            "--requests",
            type=int,
            default=300,
            help="How many help-request scenarios to play (a few more are retried if a "
            "status would otherwise be missing).",
        )
        parser.add_argument("--seed", type=int, default=42, help="Seed for random.Random.")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo people (@example.ch, @quartier.test) and everything hanging "
            "off them first, then build again.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        verbosity = options["verbosity"]
        for name in ("helpers", "customers", "requests"):
            if options[name] < 0:
                raise CommandError(f"--{name} must be 0 or more.")
        if options["customers"] == 0 and options["requests"] > 0:
            raise CommandError("Requests need customers: give --customers.")
        manager = User.objects.filter(email=MANAGER_EMAIL).first()
        if not options["reset"]:
            if manager is not None and manager.display_name == SEED_MARKER:
                self.stdout.write("Demo data already present (use --reset to rebuild it).")
                if verbosity:
                    self.stdout.write("\n".join(summary_lines()))
                return
            if _demo_users().exists():
                raise CommandError(
                    "There are @example.ch / @quartier.test accounts that seed_demo did not "
                    "make; run it with --reset to replace them."
                )
        progress = Unterminated(self.stderr) if verbosity else None
        with transaction.atomic():
            if options["reset"]:
                deleted = delete_demo_data()
                if verbosity:
                    self.stdout.write(f"Deleted {deleted} demo people and what hung off them.")
            builder = DemoBuilder(seed=options["seed"], progress=progress)
            builder.build(
                helpers=options["helpers"],
                customers=options["customers"],
                requests=options["requests"],
            )
        if not verbosity:
            return
        tally = builder.tally
        attempts = sum(tally.attempted.values())
        reached = sum(tally.reached.values())
        self.stdout.write(
            f"Seed {options['seed']}: {attempts} scenarios, {reached} as planned, "
            f"{attempts - reached} stopped early or turned out otherwise"
            + (f" (refused: {dict(sorted(tally.refused.items()))})" if tally.refused else "")
            + f"; sweep: {dict(builder.swept)}; {time.monotonic() - started:.1f} s."
        )
        if verbosity > 1:
            for kind_name in sorted(tally.attempted):
                self.stdout.write(
                    f"  scenario {kind_name}: {tally.reached[kind_name]} of "
                    f"{tally.attempted[kind_name]} as planned"
                )
        self.stdout.write("\n".join(summary_lines()))
