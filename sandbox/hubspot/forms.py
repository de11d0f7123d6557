"""Marketing forms and their submissions.

Form definitions are rendered in full (field groups, configuration, display and consent options)
because the SDK's forms models expect every one of those blocks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handoff.sandbox.hubspot.clock import epoch_ms, iso

_LABELS = {
    "email": "Email",
    "firstname": "First name",
    "lastname": "Last name",
    "company": "Company name",
    "jobtitle": "Job title",
    "phone": "Phone number",
    "country": "Country/Region",
    "numemployees": "Number of employees",
    "message": "How can we help?",
}


@dataclass(frozen=True)
class FormDef:
    id: str
    name: str
    created_at: datetime
    updated_at: datetime
    fields: tuple[str, ...] = ("email", "firstname", "lastname", "company", "jobtitle")
    archived: bool = False
    lifecycle_stage: str = "lead"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "formType": "hubspot",
            "createdAt": iso(self.created_at),
            "updatedAt": iso(self.updated_at),
            "archived": self.archived,
            "fieldGroups": [
                {
                    "groupType": "default_group",
                    "richTextType": "text",
                    "fields": [_field_json(name) for name in self.fields],
                }
            ],
            "configuration": {
                "language": "en",
                "cloneable": True,
                "postSubmitAction": {"type": "thank_you", "value": "Thanks, we'll be in touch."},
                "editable": True,
                "archivable": True,
                "recaptchaEnabled": False,
                "notifyContactOwner": False,
                "notifyRecipients": [],
                "createNewContactForNewEmail": False,
                "prePopulateKnownValues": True,
                "allowLinkToResetKnownValues": False,
                "lifecycleStages": [{"objectTypeId": "0-1", "value": self.lifecycle_stage}],
            },
            "displayOptions": {
                "renderRawHtml": False,
                "theme": "default_style",
                "submitButtonText": "Submit",
                "style": {
                    "fontFamily": "arial, helvetica, sans-serif",
                    "backgroundWidth": "100%",
                    "labelTextColor": "#33475b",
                    "labelTextSize": "14px",
                    "helpTextColor": "#7C98B6",
                    "helpTextSize": "11px",
                    "legalConsentTextColor": "#33475b",
                    "legalConsentTextSize": "14px",
                    "submitColor": "#ff7a59",
                    "submitAlignment": "left",
                    "submitFontColor": "#ffffff",
                    "submitSize": "12px",
                },
            },
            "legalConsentOptions": {
                "type": "implicit_consent_to_process",
                "subscriptionTypeIds": [],
                "lawfulBasis": "lead",
                "privacyText": "Acme Analytics needs the contact information you provide to"
                " contact you about our products and services.",
                "communicationsCheckboxes": [],
                "consentToProcessText": "By submitting, you agree to our privacy policy.",
            },
        }


def _field_json(name: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "objectTypeId": "0-1",
        "name": name,
        "label": _LABELS.get(name, name),
        "required": name == "email",
        "hidden": False,
        "dependentFields": [],
        "fieldType": "email" if name == "email" else "single_line_text",
    }
    if name == "email":
        body["validation"] = {"blockedEmailDomains": [], "useDefaultBlockList": False}
    return body


@dataclass(frozen=True)
class Submission:
    conversion_id: str
    form_id: str
    contact_id: int
    submitted_at: datetime
    values: tuple[tuple[str, str], ...]
    page_url: str

    def to_json(self) -> dict[str, Any]:
        return {
            "conversionId": self.conversion_id,
            "submittedAt": epoch_ms(self.submitted_at),
            "values": [{"name": name, "value": value, "objectTypeId": "0-1"} for name, value in self.values],
            "pageUrl": self.page_url,
        }
