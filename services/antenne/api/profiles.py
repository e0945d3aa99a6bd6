"""A member's profile as the API reads and shows it: capacities first, personal data marked as such."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from contracts.antenne.v1 import Category
from services.antenne.domain import Capacities, Consents, PersonalData, Weekday

Language = Annotated[
    str, Field(pattern=r"^[a-z]{2,3}$", description="ISO 639 code such as `nl`, `fr`, `ar`.")
]

ANNA: dict[str, Any] = {
    "display_name": "Anna Peeters",
    "phone": "02 123 45 67",
    "birth_year": 1948,
    "heard_via": "the baker on the square",
    "languages": ["nl", "fr"],
    "sector": "jette-centrum",
    "talents": "knits, knows every street",
    "energy": "company, a chat over coffee",
    "would_like_to_do": "visit someone who is alone",
    "gives": ["company", "outings"],
    "needs": "a lift to the hospital now and then",
    "asks": ["transport"],
    "availability": ["tuesday", "thursday"],
    "consents": {"alliance_sharing": True, "newsletter": True, "photos": False},
}


class ConsentsBody(BaseModel):
    """What the member agrees to; anything not given is no."""

    alliance_sharing: bool = Field(default=False, description="Anonymised sharing with alliance partners.")
    newsletter: bool = False
    photos: bool = False

    def consents(self) -> Consents:
        """The domain's value."""
        return Consents(self.alliance_sharing, self.newsletter, self.photos)


class ProfileBody(BaseModel):
    """A member's profile, capacities first; name, contact details and free text stay at this antenne."""

    model_config = ConfigDict(json_schema_extra={"examples": [ANNA]})

    display_name: str = Field(min_length=1, max_length=200, description="What the coordinators call them.")
    phone: str | None = Field(
        default=None, max_length=40, description="Many members have none: leave it out."
    )
    email: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=300)
    birth_year: int | None = Field(default=None, ge=1900, le=2100, description="Only an age band leaves.")
    heard_via: str | None = Field(default=None, max_length=300, description="How they heard of the network.")
    languages: list[Language] = Field(default_factory=list, description="Languages spoken, best first.")
    sector: str | None = Field(default=None, max_length=60, description="The neighbourhood sector.")
    life_story: str | None = Field(default=None, max_length=4000)
    talents: str | None = Field(default=None, max_length=2000)
    energy: str | None = Field(default=None, max_length=2000, description="What gives them energy.")
    would_like_to_do: str | None = Field(default=None, max_length=2000, description="For others.")
    gives: list[Category] = Field(default_factory=list, description="Kinds of help they would like to give.")
    needs: str | None = Field(default=None, max_length=2000, description="What they would like help with.")
    asks: list[Category] = Field(default_factory=list, description="Kinds of help they would like.")
    availability: list[Weekday] = Field(default_factory=list, description="Days they are usually free.")
    isolated: bool = Field(
        default=False, description="The coordinator notes the member as socially isolated."
    )

    @classmethod
    def of(cls, personal: PersonalData, capacities: Capacities) -> ProfileBody:
        """The body of a profile's two parts."""
        return cls(
            **personal.__dict__,
            languages=list(capacities.languages),
            sector=capacities.sector,
            gives=list(capacities.gives),
            asks=list(capacities.asks),
            availability=list(capacities.availability),
            isolated=capacities.isolated,
        )

    def personal(self) -> PersonalData:
        """The personal part."""
        return PersonalData(
            display_name=self.display_name, phone=self.phone, email=self.email, address=self.address,
            birth_year=self.birth_year, heard_via=self.heard_via, life_story=self.life_story,
            talents=self.talents, energy=self.energy, would_like_to_do=self.would_like_to_do,
            needs=self.needs,
        )  # fmt: skip

    def capacities(self) -> Capacities:
        """The coarse facts matching uses."""
        return Capacities(
            sector=self.sector,
            languages=tuple(self.languages),
            gives=tuple(self.gives),
            asks=tuple(self.asks),
            availability=tuple(self.availability),
            isolated=self.isolated,
        )
