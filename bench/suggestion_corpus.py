"""A coded corpus for bench/suggestions.py, written for it (no outside text; the same terms as
Fieldwork's code): interview-like sentences in English, Polish and Czech about city
partnerships, each coded with one of eight codes of the starter codebook, from hand-written
templates with slots (city, partner, year, number), and sentences that no code fits. The
codebook's definitions are given in each language, as a team coding in that language writes
them. Sentences say things in the words people use, which are often not the definition's."""

from __future__ import annotations

import random
from dataclasses import dataclass

CITIES = {"en": ["Wrocław", "Brno", "Leipzig", "Cluj", "Tartu"],
          "pl": ["Wrocław", "Poznań", "Gdańsk", "Łódź", "Lublin"],
          "cs": ["Brno", "Ostrava", "Plzeň", "Olomouc", "Liberec"]}
PARTNERS = {"en": ["Guangzhou", "Charlotte", "Chengdu", "Pittsburgh", "Ningbo"],
            "pl": ["Guangzhou", "Charlotte", "Chengdu", "Pittsburgh", "Ningbo"],
            "cs": ["Kantonem", "Charlotte", "Čcheng-tu", "Pittsburghem", "Ning-po"]}

#: code -> language -> (definition, sentence templates)
CODES: dict[str, dict[str, tuple[str, list[str]]]] = {
    "Economic development and investment": {
        "en": ("Attracting investors, investment, jobs and growth of the local economy.", [
            "We hoped a factory from {partner} would open here and bring {n} new jobs.",
            "The mayor travelled to {partner} to meet companies interested in our industrial park.",
            "A manufacturer from {partner} bought land near the motorway in {year}.",
            "What the city really wanted was capital: firms that build plants and hire people.",
            "They asked about tax relief in the special economic zone before committing money.",
            "Since {year} two companies from {partner} have put money into logistics here.",
            "Local firms hope to sell more abroad if the partner city opens its market to them.",
            "The partnership was sold to councillors as a way to bring in foreign capital."]),
        "pl": ("Przyciąganie inwestorów, inwestycje, miejsca pracy i rozwój lokalnej gospodarki.", [
            "Liczyliśmy, że fabryka z {partner} powstanie u nas i da {n} miejsc pracy.",
            "Prezydent pojechał do {partner}, żeby spotkać się z firmami zainteresowanymi parkiem"
            " przemysłowym.",
            "Producent z {partner} kupił w {year} roku działkę przy autostradzie.",
            "Miastu chodziło przede wszystkim o kapitał: o firmy, które budują zakłady i"
            " zatrudniają ludzi.",
            "Pytali o ulgi podatkowe w specjalnej strefie ekonomicznej, zanim wyłożyli pieniądze.",
            "Od {year} roku dwie firmy z {partner} zainwestowały u nas w logistykę.",
            "Nasze przedsiębiorstwa liczą na większy eksport, jeśli miasto partnerskie otworzy"
            " dla nich rynek.",
            "Radnym przedstawiono partnerstwo jako sposób na ściągnięcie zagranicznego kapitału."]),
        "cs": ("Přilákání investorů, investice, pracovní místa a růst místní ekonomiky.", [
            "Doufali jsme, že u nás továrna z {partner} otevře provoz a přinese {n} nových míst.",
            "Primátor odjel za firmami, které se zajímaly o náš průmyslový park.",
            "Výrobce z {partner} koupil v roce {year} pozemek u dálnice.",
            "Městu šlo hlavně o kapitál: o firmy, které staví závody a zaměstnávají lidi.",
            "Ptali se na daňové úlevy ve zvláštní ekonomické zóně, než vložili peníze.",
            "Od roku {year} u nás dvě firmy z {partner} investovaly do logistiky.",
            "Místní podniky doufají ve větší vývoz, pokud jim partnerské město otevře trh.",
            "Zastupitelům bylo partnerství představeno jako cesta k zahraničnímu kapitálu."]),
    },
    "Education": {
        "en": ("Exchanges of students and teachers, schools and universities working together.", [
            "Every year {n} students from our university spend a semester in {partner}.",
            "The high schools run a pupil exchange with {partner} since {year}.",
            "Our lecturers teach a joint summer course with colleagues from {partner}.",
            "Young people come back from {partner} speaking the language and wanting to return.",
            "The technical university signed a double degree with a campus in {partner}.",
            "Teachers from {partner} visited our primary schools to see how we teach mathematics.",
            "Scholarships for doctoral candidates were the first thing the partners agreed on.",
            "Kids from the music school played a concert for their hosts during the exchange."]),
        "pl": ("Wymiany uczniów, studentów i nauczycieli, współpraca szkół i uczelni.", [
            "Co roku {n} studentów naszego uniwersytetu spędza semestr w {partner}.",
            "Licea prowadzą wymianę uczniów z {partner} od {year} roku.",
            "Nasi wykładowcy prowadzą wspólny kurs letni z kolegami z {partner}.",
            "Młodzi wracają z {partner}, mówiąc w obcym języku i chcąc tam wrócić.",
            "Politechnika podpisała podwójny dyplom z kampusem w {partner}.",
            "Nauczyciele z {partner} odwiedzili nasze podstawówki, żeby zobaczyć, jak uczymy"
            " matematyki.",
            "Stypendia dla doktorantów były pierwszą rzeczą, na którą zgodzili się partnerzy.",
            "Dzieci ze szkoły muzycznej zagrały koncert dla gospodarzy podczas wyjazdu."]),
        "cs": ("Výměny žáků, studentů a učitelů, spolupráce škol a univerzit.", [
            "Každý rok stráví {n} studentů naší univerzity semestr v partnerském městě.",
            "Gymnázia vedou výměnu žáků s {partner} od roku {year}.",
            "Naši přednášející učí společný letní kurz s kolegy z {partner}.",
            "Mladí se vracejí domů, mluví cizím jazykem a chtějí se tam vrátit.",
            "Technická univerzita podepsala dvojí diplom s kampusem v partnerském městě.",
            "Učitelé z {partner} navštívili naše základní školy, aby viděli, jak učíme matematiku.",
            "Stipendia pro doktorandy byla první věc, na které se partneři shodli.",
            "Děti z hudební školy zahrály hostitelům koncert během výjezdu."]),
    },
    "Culture": {
        "en": ("Cultural events, festivals, exhibitions, artists and heritage.", [
            "The philharmonic from {partner} opened our festival in {year}.",
            "An exhibition of calligraphy from {partner} filled the town hall gallery.",
            "Our folk ensemble danced at the lantern celebrations in {partner}.",
            "The museum lent {n} paintings for a show in {partner}.",
            "Film nights with movies from {partner} are popular with pensioners.",
            "Artists from both cities painted a mural together on the market square.",
            "The theatre staged a play by a writer from {partner}, translated for the occasion.",
            "Restoring the old synagogue was a project the partners funded jointly."]),
        "pl": ("Wydarzenia kulturalne, festiwale, wystawy, artyści i dziedzictwo.", [
            "Filharmonia z {partner} otworzyła nasz festiwal w {year} roku.",
            "Wystawa kaligrafii z {partner} wypełniła galerię w ratuszu.",
            "Nasz zespół ludowy tańczył na święcie lampionów w {partner}.",
            "Muzeum wypożyczyło {n} obrazów na pokaz w {partner}.",
            "Wieczory filmowe z kinem z {partner} cieszą się popularnością wśród emerytów.",
            "Artyści z obu miast namalowali razem mural na rynku.",
            "Teatr wystawił sztukę pisarza z {partner}, przetłumaczoną specjalnie na tę okazję.",
            "Odnowienie starej synagogi partnerzy sfinansowali wspólnie."]),
        "cs": ("Kulturní akce, festivaly, výstavy, umělci a kulturní dědictví.", [
            "Filharmonie z {partner} zahájila náš festival v roce {year}.",
            "Výstava kaligrafie z {partner} zaplnila galerii na radnici.",
            "Náš folklorní soubor tančil na slavnosti lampionů v partnerském městě.",
            "Muzeum zapůjčilo {n} obrazů na přehlídku v partnerském městě.",
            "Filmové večery s kinem z {partner} jsou oblíbené u důchodců.",
            "Umělci z obou měst spolu namalovali nástěnnou malbu na náměstí.",
            "Divadlo uvedlo hru spisovatele z {partner}, přeloženou právě pro tuto příležitost.",
            "Obnovu staré synagogy partneři financovali společně."]),
    },
    "Environment": {
        "en": ("Climate, energy, air and water quality, green policies.", [
            "Engineers from {partner} showed us how they cut smog from coal heating.",
            "We exchanged experience on electric buses and charging stations.",
            "The partners measured river pollution together for {n} months.",
            "A delegation came to learn how our district heating saves energy.",
            "Both mayors signed a pledge to cut carbon emissions by {year}.",
            "The solar panels on the schools were installed with know-how from {partner}.",
            "Flood protection was the topic after the water rose in {year}.",
            "Planting trees along the ring road was copied from a park in {partner}."]),
        "pl": ("Klimat, energia, jakość powietrza i wody, polityka ekologiczna.", [
            "Inżynierowie z {partner} pokazali nam, jak ograniczyli smog z ogrzewania węglem.",
            "Wymieniliśmy się doświadczeniami w sprawie autobusów elektrycznych i ładowarek.",
            "Partnerzy przez {n} miesięcy wspólnie badali zanieczyszczenie rzeki.",
            "Przyjechała delegacja, żeby zobaczyć, jak nasza ciepłownia oszczędza energię.",
            "Obaj prezydenci podpisali zobowiązanie do ograniczenia emisji dwutlenku węgla do"
            " {year} roku.",
            "Panele słoneczne na szkołach zamontowano dzięki wiedzy z {partner}.",
            "Po powodzi w {year} roku tematem stała się ochrona przed wodą.",
            "Sadzenie drzew wzdłuż obwodnicy skopiowano z parku w {partner}."]),
        "cs": ("Klima, energie, kvalita ovzduší a vody, ekologická politika.", [
            "Inženýři z {partner} nám ukázali, jak omezili smog z vytápění uhlím.",
            "Vyměnili jsme si zkušenosti s elektrickými autobusy a nabíjecími stanicemi.",
            "Partneři po {n} měsíců společně měřili znečištění řeky.",
            "Přijela delegace, aby viděla, jak naše teplárna šetří energii.",
            "Oba primátoři podepsali závazek snížit emise oxidu uhličitého do roku {year}.",
            "Solární panely na školách byly instalovány díky znalostem z {partner}.",
            "Po povodni v roce {year} se tématem stala ochrana před vodou.",
            "Sázení stromů podél okruhu jsme převzali z parku v partnerském městě."]),
    },
    "Staff": {
        "en": ("The people a city has for its international relations.", [
            "One person in the mayor's office handles all {n} partnerships.",
            "The international relations unit lost two of its three employees in {year}.",
            "Nobody here speaks the partner's language, so we hire an interpreter each time.",
            "The officer who built the contacts retired and nobody took over her files.",
            "We have a single desk for foreign affairs, shared with tourism promotion.",
            "New hires in the department first learn how to host a delegation.",
            "Interns from the university help us answer letters from {partner}.",
            "Without a dedicated coordinator the exchange would have stopped long ago."]),
        "pl": ("Ludzie, których miasto ma do współpracy zagranicznej.", [
            "Jedna osoba w gabinecie prezydenta zajmuje się wszystkimi {n} partnerstwami.",
            "Biuro współpracy zagranicznej straciło w {year} roku dwóch z trzech pracowników.",
            "Nikt u nas nie mówi językiem partnera, więc za każdym razem wynajmujemy tłumacza.",
            "Urzędniczka, która zbudowała te kontakty, przeszła na emeryturę i nikt nie przejął"
            " jej spraw.",
            "Mamy jedno stanowisko do spraw zagranicznych, wspólne z promocją turystyki.",
            "Nowo zatrudnieni w wydziale najpierw uczą się, jak przyjąć delegację.",
            "Praktykanci z uczelni pomagają nam odpowiadać na listy z {partner}.",
            "Bez osobnego koordynatora wymiana dawno by upadła."]),
        "cs": ("Lidé, které má město pro zahraniční vztahy.", [
            "Jedna osoba v kanceláři primátora má na starosti všech {n} partnerství.",
            "Oddělení zahraničních vztahů přišlo v roce {year} o dva ze tří zaměstnanců.",
            "Nikdo tady nemluví jazykem partnera, takže pokaždé najímáme tlumočníka.",
            "Úřednice, která ty kontakty vybudovala, odešla do důchodu a nikdo nepřevzal její"
            " agendu.",
            "Máme jedno místo pro zahraniční záležitosti, sdílené s propagací cestovního ruchu.",
            "Noví zaměstnanci odboru se nejdřív učí, jak přijmout delegaci.",
            "Stážisté z univerzity nám pomáhají odpovídat na dopisy z {partner}.",
            "Bez vlastního koordinátora by výměna už dávno skončila."]),
    },
    "National level": {
        "en": ("Coordination with the national government and ministries.", [
            "The foreign ministry now wants to be consulted before any memorandum with {partner}.",
            "Warsaw told us to slow down after the diplomatic row in {year}.",
            "A letter from the government asked cities to report every contact with {partner}.",
            "The embassy helped us, but the ministry in the capital was suspicious.",
            "National security services reviewed the agreement before it was signed.",
            "We could not sign because the state had not approved the investment treaty.",
            "The prime minister's office invited {n} mayors to agree on a common line.",
            "Our plans followed the country's strategy for relations with {partner}."]),
        "pl": ("Koordynacja z rządem i ministerstwami.", [
            "MSZ chce teraz być informowane przed każdym memorandum z {partner}.",
            "Warszawa kazała nam zwolnić po dyplomatycznym sporze w {year} roku.",
            "Pismo z rządu nakazywało miastom zgłaszać każdy kontakt z {partner}.",
            "Ambasada nam pomogła, ale ministerstwo w stolicy było podejrzliwe.",
            "Służby państwowe sprawdziły porozumienie, zanim zostało podpisane.",
            "Nie mogliśmy podpisać, bo państwo nie zatwierdziło umowy inwestycyjnej.",
            "Kancelaria premiera zaprosiła {n} prezydentów miast, żeby uzgodnić wspólne"
            " stanowisko.",
            "Nasze plany szły za krajową strategią stosunków z {partner}."]),
        "cs": ("Koordinace s vládou a ministerstvy.", [
            "Ministerstvo zahraničí teď chce být informováno před každým memorandem s {partner}.",
            "Praha nám řekla, ať zpomalíme po diplomatickém sporu v roce {year}.",
            "Dopis od vlády žádal města, aby hlásila každý kontakt s {partner}.",
            "Velvyslanectví nám pomohlo, ale ministerstvo v hlavním městě bylo podezíravé.",
            "Státní bezpečnostní služby prověřily dohodu, než byla podepsána.",
            "Nemohli jsme podepsat, protože stát neschválil investiční smlouvu.",
            "Úřad vlády pozval {n} primátorů, aby se dohodli na společném postupu.",
            "Naše plány sledovaly státní strategii vztahů s {partner}."]),
    },
    "Budgets": {
        "en": ("Money the city spends on partnerships: budget lines, costs, grants.", [
            "There is no budget line for partnerships, so every trip is paid from promotion.",
            "The visit cost {n} thousand euros and the council asked why.",
            "We applied for a grant to cover flights for the youth exchange.",
            "In {year} the funds for foreign relations were cut by half.",
            "The partner pays for the hotel and we pay for the programme.",
            "Councillors refused to spend taxpayers' money on trips to {partner}.",
            "A sponsor from a local bank paid for the delegation's dinner.",
            "Accounting asks for receipts in the local currency, which delays everything."]),
        "pl": ("Pieniądze, które miasto wydaje na partnerstwa: budżet, koszty, dotacje.", [
            "Nie ma osobnej pozycji w budżecie na partnerstwa, więc każdy wyjazd płacimy z"
            " promocji.",
            "Wizyta kosztowała {n} tysięcy euro i rada zapytała dlaczego.",
            "Złożyliśmy wniosek o dotację na przeloty dla wymiany młodzieży.",
            "W {year} roku środki na współpracę zagraniczną obcięto o połowę.",
            "Partner płaci za hotel, a my za program wizyty.",
            "Radni odmówili wydawania pieniędzy podatników na wyjazdy do {partner}.",
            "Sponsor z lokalnego banku zapłacił za kolację delegacji.",
            "Księgowość żąda rachunków w lokalnej walucie, co wszystko opóźnia."]),
        "cs": ("Peníze, které město vydává na partnerství: rozpočet, náklady, granty.", [
            "V rozpočtu není položka na partnerství, takže každou cestu platíme z propagace.",
            "Návštěva stála {n} tisíc eur a zastupitelstvo se ptalo proč.",
            "Požádali jsme o grant na letenky pro výměnu mládeže.",
            "V roce {year} byly prostředky na zahraniční vztahy sníženy o polovinu.",
            "Partner platí hotel a my platíme program návštěvy.",
            "Zastupitelé odmítli utrácet peníze daňových poplatníků za cesty do {partner}.",
            "Sponzor z místní banky zaplatil večeři delegace.",
            "Účetní chtějí účtenky v místní měně, což všechno zdržuje."]),
    },
    "Agreements": {
        "en": ("Formal agreements: partnership treaties, memoranda, letters of intent.", [
            "The twinning agreement with {partner} was signed in {year}.",
            "We only have a letter of intent, never a proper treaty.",
            "The memorandum lists {n} areas but says nothing about money.",
            "Renewing the accord every five years keeps the partnership alive on paper.",
            "The document was drafted in two languages and the versions differ.",
            "Nobody can find the original signed copy of the friendship pact.",
            "A new protocol added tourism to the text of the arrangement in {year}.",
            "Lawyers checked whether the city may sign such a contract with a foreign town."]),
        "pl": ("Formalne porozumienia: umowy partnerskie, memoranda, listy intencyjne.", [
            "Umowę o partnerstwie z {partner} podpisano w {year} roku.",
            "Mamy tylko list intencyjny, nigdy prawdziwej umowy.",
            "Memorandum wymienia {n} obszarów, ale nic nie mówi o pieniądzach.",
            "Odnawianie porozumienia co pięć lat utrzymuje partnerstwo przy życiu na papierze.",
            "Dokument przygotowano w dwóch językach i wersje się różnią.",
            "Nikt nie może znaleźć oryginału podpisanego paktu o przyjaźni.",
            "Nowy protokół dopisał turystykę do tekstu ustaleń w {year} roku.",
            "Prawnicy sprawdzali, czy miasto może podpisać taki kontrakt z zagranicznym miastem."]),
        "cs": ("Formální dohody: partnerské smlouvy, memoranda, dopisy o záměru.", [
            "Partnerská smlouva s {partner} byla podepsána v roce {year}.",
            "Máme jen dopis o záměru, nikdy skutečnou smlouvu.",
            "Memorandum uvádí {n} oblastí, ale o penězích neříká nic.",
            "Obnovování dohody každých pět let drží partnerství naživu na papíře.",
            "Dokument byl sepsán ve dvou jazycích a verze se liší.",
            "Nikdo nemůže najít originál podepsaného paktu o přátelství.",
            "Nový protokol doplnil do textu ujednání cestovní ruch v roce {year}.",
            "Právníci ověřovali, zda město smí podepsat takový kontrakt se zahraničním městem."]),
    },
}

#: sentences no code fits
NEUTRAL = {
    "en": ["It was raining during the whole visit.", "Let me check my notes for a second.",
           "The interview took place in a café near the station.",
           "Could you repeat the question, please?", "My colleague will join us later."],
    "pl": ["Przez całą wizytę padał deszcz.", "Chwileczkę, sprawdzę w notatkach.",
           "Rozmowa odbyła się w kawiarni przy dworcu.", "Czy może pan powtórzyć pytanie?",
           "Moja koleżanka dołączy do nas później."],
    "cs": ["Celou návštěvu pršelo.", "Moment, podívám se do poznámek.",
           "Rozhovor proběhl v kavárně u nádraží.", "Můžete prosím zopakovat otázku?",
           "Moje kolegyně se k nám připojí později."],
}
OPENINGS = {"en": ["", "", "Honestly, ", "I would say that ", "As far as I remember, "],
            "pl": ["", "", "Szczerze mówiąc, ", "Powiedziałbym, że ", "O ile pamiętam, "],
            "cs": ["", "", "Upřímně řečeno, ", "Řekl bych, že ", "Pokud si vzpomínám, "]}


@dataclass(frozen=True)
class CodedPassage:
    text: str
    codes: frozenset[str]


def fill(template: str, language: str, rng: random.Random) -> str:
    opening = rng.choice(OPENINGS[language])
    text = template.format(partner=rng.choice(PARTNERS[language]), n=rng.randint(2, 40),
                           year=rng.randint(1995, 2024), city=rng.choice(CITIES[language]))
    return opening + (text[0].lower() + text[1:] if opening else text)


def coded_passages(language: str, count: int, seed: int = 11) -> list[CodedPassage]:
    """`count` passages, a fifth of them two sentences of two codes."""
    rng = random.Random(seed)
    names = list(CODES)
    result = []
    for _ in range(count):
        chosen = rng.sample(names, 2 if rng.random() < 0.2 else 1)
        text = " ".join(fill(rng.choice(CODES[name][language][1]), language, rng)
                        for name in chosen)
        result.append(CodedPassage(text, frozenset(chosen)))
    return result


def long_source(language: str, words: int, seed: int = 5) -> str:
    """A transcript-like text of about `words` words: coded sentences and neutral ones in
    paragraphs of six."""
    rng = random.Random(seed)
    sentences: list[str] = []
    total = 0
    while total < words:
        if rng.random() < 0.3:
            sentence = rng.choice(NEUTRAL[language])
        else:
            sentence = fill(rng.choice(CODES[rng.choice(list(CODES))][language][1]), language,
                            rng)
        sentences.append(sentence)
        total += len(sentence.split())
    return "\n\n".join(" ".join(sentences[i:i + 6]) for i in range(0, len(sentences), 6))
