/* heron-seed-words.c: the names, phrases, subjects and places the corpus is made of.
 *
 * Every string here was written for this corpus. Addresses use only reserved names
 * (example.com/.org/.net, *.example, *.test, RFC 2606) so no message points at a real host.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "heron-seed-private.h"

/* ---- English -------------------------------------------------------------------------------- */

static const HeronSeedName en_first[] = {
  { "James", "james" }, { "Mary", "mary" }, { "John", "john" }, { "Patricia", "patricia" },
  { "Robert", "robert" }, { "Jennifer", "jennifer" }, { "Michael", "michael" },
  { "Linda", "linda" }, { "William", "william" }, { "Elizabeth", "elizabeth" },
  { "David", "david" }, { "Susan", "susan" }, { "Sarah", "sarah" }, { "Thomas", "thomas" },
  { "Karen", "karen" }, { "Daniel", "daniel" }, { "Emily", "emily" }, { "Matthew", "matthew" },
  { "Olivia", "olivia" }, { "Andrew", "andrew" }, { "Grace", "grace" }, { "Oliver", "oliver" },
  { "Chloe", "chloe" }, { "Samuel", "samuel" }, { "Zoë", "zoe" }, { "Renée", "renee" },
};

static const HeronSeedName en_last[] = {
  { "Smith", "smith" }, { "Johnson", "johnson" }, { "Williams", "williams" },
  { "Brown", "brown" }, { "Jones", "jones" }, { "Miller", "miller" }, { "Davis", "davis" },
  { "Wilson", "wilson" }, { "Taylor", "taylor" }, { "Anderson", "anderson" },
  { "Moore", "moore" }, { "Clark", "clark" }, { "Lewis", "lewis" }, { "Walker", "walker" },
  { "Hall", "hall" }, { "Young", "young" }, { "King", "king" }, { "Wright", "wright" },
  { "Scott", "scott" }, { "O'Brien", "obrien" }, { "Baker", "baker" }, { "Green", "green" },
  { "Turner", "turner" }, { "Brontë", "bronte" },
};

static const char *const en_phrases[] = {
  "we need to review the budget", "the client asked about the timeline",
  "I have attached the latest draft", "could you take a look", "before the end of the week",
  "the meeting has been moved to Thursday", "as discussed on the call",
  "the numbers look good so far", "there is one open question",
  "the release is planned for next month", "please let me know what you think",
  "I will follow up tomorrow", "the test results are in", "we are still waiting for approval",
  "thanks for the quick reply", "the server was slow again this morning",
  "the contract needs one more signature", "I spoke with the team",
  "the new version fixes the crash", "we could meet in the small room", "the train was late",
  "the slides are almost ready", "our supplier confirmed the order", "the invoice is attached",
  "I am out of the office on Monday", "the workshop starts at nine", "we should keep it simple",
  "the documentation is out of date", "nobody has objected so far",
  "the figures for March are missing", "the design looks much cleaner now",
  "I think that works for me", "we will need more time", "the backup finished overnight",
  "the room is booked until noon", "it would help to have an example",
  "the proposal still needs a summary", "I moved the files to the shared folder",
  "the customer is happy with the result", "lunch is on me",
};

static const char *const en_ends[] = { ".", ".", ".", ".", "!", "?" };

static const char *const en_patterns[] = {
  "%s", "%s", "Question about %s", "%s: next steps", "Update on %s", "Meeting notes: %s",
  "Draft of %s for review", "Rescheduling %s", "Quick question on %s", "[Action required] %s",
  "%s — status", "Thoughts on %s?", "Invitation: %s", "FYI: %s", "%s (second try)",
};

static const char *const en_topics[] = {
  "the quarterly report", "budget 2025", "the office move", "release 3.2", "the offsite",
  "onboarding", "the website redesign", "server migration", "travel expenses",
  "the customer workshop", "hiring plan", "the annual review", "the conference talk",
  "Friday's demo", "license renewal", "the backup policy", "the summer party",
  "the new printer", "project Heron", "the support backlog",
};

static const char *const en_stems[] = {
  "Quarterly report", "Budget 2025", "Invoice 10432", "Meeting notes", "Floor plan",
  "Screenshot", "Contract draft v3", "Agenda", "Photo", "Travel itinerary",
};

static const char *const en_domains[] = {
  "example.com", "example.org", "example.net", "mail.example.com", "corp.example.com",
  "university.example.edu.test",
};

static const HeronSeedZone en_zones[] = {
  { -300, TRUE, "EST", "EDT" }, { -480, TRUE, "PST", "PDT" }, { 0, TRUE, "GMT", "BST" },
  { 600, FALSE, "AEST", NULL }, { 330, FALSE, "IST", NULL }, { -300, TRUE, "EST", "EDT" },
};

static const char *const en_titles[] = {
  "Project Manager", "Software Engineer", "Head of Finance", "Office Manager",
  "Senior Designer", "Customer Success",
};

/* ---- German --------------------------------------------------------------------------------- */

static const HeronSeedName de_first[] = {
  { "Lukas", "lukas" }, { "Anna", "anna" }, { "Jörg", "joerg" }, { "Sören", "soeren" },
  { "Käthe", "kaethe" }, { "Günter", "guenter" }, { "Hannah", "hannah" },
  { "Maximilian", "maximilian" }, { "Lena", "lena" }, { "Björn", "bjoern" },
  { "Jürgen", "juergen" }, { "Ursula", "ursula" }, { "Stefan", "stefan" },
  { "Katrin", "katrin" }, { "Dörte", "doerte" }, { "Matthias", "matthias" },
  { "Franziska", "franziska" }, { "Uwe", "uwe" }, { "Sabine", "sabine" },
  { "Wolfgang", "wolfgang" },
};

static const HeronSeedName de_last[] = {
  { "Müller", "mueller" }, { "Schmidt", "schmidt" }, { "Schneider", "schneider" },
  { "Fischer", "fischer" }, { "Weiß", "weiss" }, { "Meyer", "meyer" }, { "Wagner", "wagner" },
  { "Becker", "becker" }, { "Schäfer", "schaefer" }, { "Koch", "koch" }, { "Bauer", "bauer" },
  { "Richter", "richter" }, { "Klein", "klein" }, { "Wolf", "wolf" },
  { "Schröder", "schroeder" }, { "Neumann", "neumann" }, { "Schwarz", "schwarz" },
  { "Zimmermann", "zimmermann" }, { "Krüger", "krueger" }, { "Hofmann", "hofmann" },
  { "Große", "grosse" }, { "Lehmann", "lehmann" }, { "Köhler", "koehler" },
  { "Günther", "guenther" },
};

static const char *const de_phrases[] = {
  "wir müssen das Budget prüfen", "der Kunde hat nach dem Zeitplan gefragt",
  "im Anhang findest du den Entwurf", "kannst du bitte einen Blick darauf werfen",
  "bis Ende der Woche", "die Besprechung wurde auf Donnerstag verschoben",
  "wie am Telefon besprochen", "die Zahlen sehen gut aus", "eine Frage ist noch offen",
  "die Veröffentlichung ist für nächsten Monat geplant", "sag mir bitte Bescheid",
  "ich melde mich morgen", "die Testergebnisse liegen vor", "wir warten noch auf die Freigabe",
  "danke für die schnelle Antwort", "der Server war heute früh wieder langsam",
  "der Vertrag braucht noch eine Unterschrift", "ich habe mit dem Team gesprochen",
  "die neue Version behebt den Absturz", "wir könnten uns im kleinen Raum treffen",
  "der Zug hatte Verspätung", "die Folien sind fast fertig", "die Rechnung liegt bei",
  "am Montag bin ich nicht im Büro", "die Größe der Dateien ist über dem Limit",
  "für Rückfragen stehe ich gern zur Verfügung", "das Gespräch mit Herrn Weiß verlief gut",
  "die Übersicht für März fehlt noch",
};

static const char *const de_ends[] = { ".", ".", ".", "!", "?" };

static const char *const de_patterns[] = {
  "%s", "%s", "Frage zu %s", "%s: nächste Schritte", "Neuigkeiten zu %s", "Protokoll: %s",
  "Entwurf %s zur Durchsicht", "Terminverschiebung %s", "Kurze Rückfrage zu %s",
  "Einladung: %s", "Zur Info: %s",
};

static const char *const de_topics[] = {
  "Quartalsbericht", "Budget 2025", "Büroumzug", "Version 3.2", "Klausurtagung",
  "Einarbeitung", "Webseite", "Servermigration", "Reisekosten", "Kundenworkshop",
  "Jahresgespräch", "Sommerfest", "Lizenzverlängerung", "Datensicherung",
  "Prüfung der Unterlagen", "Straßenfest", "Gehaltsabrechnung März",
};

static const char *const de_stems[] = {
  "Präsentation März", "Rechnung 2024-0312", "Übersicht Räume", "Angebot Müller GmbH",
  "Protokoll Sitzung", "Gehaltsübersicht", "Lageplan",
};

static const char *const de_domains[] = {
  "firma.example", "beispiel.example", "uni-heidelberg.example", "stadtwerke.example",
  "mail.example.net",
};

static const HeronSeedZone cet_zones[] = {
  { 60, TRUE, "CET", "CEST" },
};

static const char *const de_titles[] = {
  "Projektleitung", "Geschäftsführung", "Buchhaltung", "Softwareentwicklung",
};

/* ---- French --------------------------------------------------------------------------------- */

static const HeronSeedName fr_first[] = {
  { "François", "francois" }, { "Amélie", "amelie" }, { "Hélène", "helene" },
  { "Jérôme", "jerome" }, { "Céline", "celine" }, { "Stéphane", "stephane" },
  { "Émilie", "emilie" }, { "Benoît", "benoit" }, { "Chloé", "chloe" }, { "Théo", "theo" },
  { "Camille", "camille" }, { "Gaëlle", "gaelle" }, { "Loïc", "loic" },
  { "Mathilde", "mathilde" }, { "Noël", "noel" }, { "Océane", "oceane" },
  { "Raphaël", "raphael" }, { "Sébastien", "sebastien" }, { "Agnès", "agnes" },
  { "Antoine", "antoine" },
};

static const HeronSeedName fr_last[] = {
  { "Martin", "martin" }, { "Bernard", "bernard" }, { "Dubois", "dubois" },
  { "Lefèvre", "lefevre" }, { "Moreau", "moreau" }, { "Laurent", "laurent" },
  { "Girard", "girard" }, { "Rousseau", "rousseau" }, { "Fontaine", "fontaine" },
  { "Chevalier", "chevalier" }, { "Leclerc", "leclerc" }, { "Gauthier", "gauthier" },
  { "Mercier", "mercier" }, { "Bonnet", "bonnet" }, { "Lambert", "lambert" },
  { "Faure", "faure" }, { "Lemaître", "lemaitre" }, { "Dupré", "dupre" },
  { "Béranger", "beranger" }, { "Desprès", "despres" },
};

static const char *const fr_phrases[] = {
  "nous devons vérifier le budget", "le client a posé une question sur le calendrier",
  "vous trouverez le brouillon en pièce jointe", "pourriez-vous y jeter un œil",
  "avant la fin de la semaine", "la réunion est déplacée à jeudi", "comme convenu au téléphone",
  "les chiffres sont plutôt bons", "une question reste ouverte",
  "la sortie est prévue le mois prochain", "dites-moi ce que vous en pensez",
  "je reviens vers vous demain", "les résultats des tests sont arrivés",
  "nous attendons toujours la validation", "merci pour la réponse rapide",
  "le serveur était encore lent ce matin", "le contrat doit encore être signé",
  "j'ai parlé avec l'équipe", "la nouvelle version corrige le plantage",
  "nous pourrions nous voir dans la petite salle", "le train avait du retard",
  "les diapositives sont presque prêtes", "la facture est jointe", "je serai absent lundi",
  "l'équipe a déjà commencé", "c'est déjà réglé", "la présentation a été très appréciée",
};

static const char *const fr_ends[] = { ".", ".", ".", " !", " ?" };

static const char *const fr_patterns[] = {
  "%s", "%s", "Question sur %s", "%s : prochaines étapes", "Point sur %s",
  "Compte rendu : %s", "Brouillon : %s, à relire", "Report : %s", "Invitation : %s",
  "Pour info : %s", "À propos de %s",
};

static const char *const fr_topics[] = {
  "le rapport trimestriel", "le budget 2025", "le déménagement", "la version 3.2",
  "le séminaire", "l'intégration", "le site web", "la migration des serveurs",
  "les notes de frais", "l'atelier client", "l'entretien annuel", "la fête d'été",
  "le renouvellement des licences", "la sauvegarde", "la réunion de lundi", "les congés d'été",
};

static const char *const fr_stems[] = {
  "Facture n°1234", "Présentation équipe", "Compte rendu réunion", "Devis été 2024",
  "Plan d'accès",
};

static const char *const fr_domains[] = {
  "entreprise.example", "exemple.example", "mairie-lyon.example", "mail.example.net",
};

static const char *const fr_titles[] = {
  "Chef de projet", "Directrice financière", "Ingénieur logiciel", "Assistante de direction",
};

/* ---- Polish --------------------------------------------------------------------------------- */

static const HeronSeedName pl_first[] = {
  { "Łukasz", "lukasz" }, { "Małgorzata", "malgorzata" }, { "Paweł", "pawel" },
  { "Krzysztof", "krzysztof" }, { "Agnieszka", "agnieszka" }, { "Michał", "michal" },
  { "Katarzyna", "katarzyna" }, { "Wojciech", "wojciech" }, { "Magdalena", "magdalena" },
  { "Grzegorz", "grzegorz" }, { "Joanna", "joanna" }, { "Tomasz", "tomasz" },
  { "Zofia", "zofia" }, { "Jędrzej", "jedrzej" }, { "Bartłomiej", "bartlomiej" },
  { "Ewa", "ewa" }, { "Piotr", "piotr" }, { "Żaneta", "zaneta" },
  { "Stanisław", "stanislaw" }, { "Urszula", "urszula" },
};

static const HeronSeedName pl_last[] = {
  { "Nowak", "nowak" }, { "Kowalski", "kowalski" }, { "Wiśniewski", "wisniewski" },
  { "Wójcik", "wojcik" }, { "Kowalczyk", "kowalczyk" }, { "Kamiński", "kaminski" },
  { "Lewandowski", "lewandowski" }, { "Zieliński", "zielinski" },
  { "Szymański", "szymanski" }, { "Woźniak", "wozniak" }, { "Dąbrowski", "dabrowski" },
  { "Kozłowski", "kozlowski" }, { "Jankowski", "jankowski" }, { "Mazur", "mazur" },
  { "Krawczyk", "krawczyk" }, { "Piotrowski", "piotrowski" }, { "Grabowski", "grabowski" },
  { "Pawłowski", "pawlowski" }, { "Michalski", "michalski" }, { "Żak", "zak" },
  { "Sęk", "sek" },
};

static const char *const pl_phrases[] = {
  "musimy sprawdzić budżet", "klient pytał o harmonogram", "w załączniku przesyłam projekt",
  "czy możesz na to spojrzeć", "do końca tygodnia",
  "spotkanie zostało przełożone na czwartek", "tak jak ustaliliśmy przez telefon",
  "liczby wyglądają dobrze", "jedno pytanie pozostaje otwarte",
  "wydanie planujemy na przyszły miesiąc", "daj znać, co o tym myślisz", "odezwę się jutro",
  "wyniki testów są już dostępne", "wciąż czekamy na zatwierdzenie",
  "dzięki za szybką odpowiedź", "serwer znowu działał wolno",
  "umowa wymaga jeszcze podpisu", "rozmawiałem z zespołem", "nowa wersja naprawia błąd",
  "pociąg się spóźnił", "prezentacja jest prawie gotowa", "faktura jest w załączniku",
  "w poniedziałek nie będzie mnie w biurze", "źródło problemu jest już znane",
  "żadnych zmian na razie",
};

static const char *const pl_ends[] = { ".", ".", ".", "!", "?" };

static const char *const pl_patterns[] = {
  "%s", "%s", "Pytanie: %s", "%s – kolejne kroki", "Informacja: %s",
  "Notatka ze spotkania: %s", "Do przejrzenia: %s", "Zaproszenie: %s", "Do wiadomości: %s",
};

static const char *const pl_topics[] = {
  "raport kwartalny", "budżet 2025", "przeprowadzka biura", "wersja 3.2",
  "wyjazd integracyjny", "wdrożenie", "strona internetowa", "migracja serwerów",
  "koszty podróży", "warsztaty z klientem", "ocena roczna", "letnia impreza",
  "odnowienie licencji", "kopia zapasowa", "źródła finansowania",
};

static const char *const pl_stems[] = {
  "Sprawozdanie roczne", "Faktura źródłowa", "Umowa – wersja końcowa", "Zdjęcie z wycieczki",
};

static const char *const pl_domains[] = {
  "firma-pl.example", "poczta.example", "urzad.example", "mail.example.net",
};

static const char *const pl_titles[] = {
  "Kierownik projektu", "Główna księgowa", "Programista", "Asystentka zarządu",
};

/* ---- Spanish -------------------------------------------------------------------------------- */

static const HeronSeedName es_first[] = {
  { "José", "jose" }, { "María", "maria" }, { "Javier", "javier" }, { "Lucía", "lucia" },
  { "Sofía", "sofia" }, { "Álvaro", "alvaro" }, { "Íñigo", "inigo" }, { "Carmen", "carmen" },
  { "Martín", "martin" }, { "Begoña", "begona" }, { "Raúl", "raul" }, { "Elena", "elena" },
  { "Andrés", "andres" }, { "Nuria", "nuria" }, { "Sergio", "sergio" }, { "Inés", "ines" },
};

static const HeronSeedName es_last[] = {
  { "García", "garcia" }, { "Fernández", "fernandez" }, { "González", "gonzalez" },
  { "Rodríguez", "rodriguez" }, { "López", "lopez" }, { "Martínez", "martinez" },
  { "Sánchez", "sanchez" }, { "Pérez", "perez" }, { "Gómez", "gomez" }, { "Ruiz", "ruiz" },
  { "Díaz", "diaz" }, { "Muñoz", "munoz" }, { "Ibáñez", "ibanez" }, { "Castaño", "castano" },
  { "Núñez", "nunez" }, { "Ortega", "ortega" },
};

static const char *const es_phrases[] = {
  "tenemos que revisar el presupuesto", "el cliente preguntó por el calendario",
  "te adjunto el borrador", "puedes echarle un vistazo", "antes del final de la semana",
  "la reunión se ha movido al jueves", "como hablamos por teléfono",
  "las cifras parecen buenas", "queda una pregunta abierta",
  "el lanzamiento está previsto para el próximo mes", "dime qué opinas", "te escribo mañana",
  "ya tenemos los resultados de las pruebas", "seguimos esperando la aprobación",
  "gracias por la respuesta rápida", "el servidor iba lento otra vez",
  "falta una firma en el contrato", "hablé con el equipo", "la nueva versión corrige el fallo",
  "el tren llegó tarde", "la presentación está casi lista", "la factura va adjunta",
  "el lunes no estaré en la oficina", "el año pasado fue diferente",
};

static const char *const es_ends[] = { ".", ".", ".", "!" };

static const char *const es_patterns[] = {
  "%s", "%s", "Pregunta sobre %s", "%s: próximos pasos", "Novedades sobre %s", "Acta: %s",
  "Borrador: %s", "Invitación: %s", "Para tu información: %s",
};

static const char *const es_topics[] = {
  "el informe trimestral", "el presupuesto 2025", "la mudanza de la oficina",
  "la versión 3.2", "el taller con el cliente", "la migración de servidores",
  "los gastos de viaje", "la evaluación anual", "la fiesta de verano",
  "la renovación de licencias", "la copia de seguridad", "el año próximo",
};

static const char *const es_stems[] = {
  "Presupuesto año 2025", "Factura señal", "Presentación diseño", "Mapa de la oficina",
};

static const char *const es_domains[] = {
  "empresa.example", "ejemplo.example", "universidad.example", "mail.example.net",
};

static const HeronSeedZone es_zones[] = {
  { 60, TRUE, "CET", "CEST" }, { 60, TRUE, "CET", "CEST" }, { -360, FALSE, "CST", NULL },
  { -180, FALSE, NULL, NULL },
};

static const char *const es_titles[] = {
  "Jefa de proyecto", "Director comercial", "Desarrollador", "Administración",
};

/* ---- Japanese ------------------------------------------------------------------------------- */

static const HeronSeedName ja_first[] = {
  { "花子", "hanako" }, { "太郎", "taro" }, { "翔太", "shota" }, { "陽菜", "hina" },
  { "健一", "kenichi" }, { "美咲", "misaki" }, { "大輔", "daisuke" }, { "由美", "yumi" },
  { "拓也", "takuya" }, { "さくら", "sakura" }, { "直樹", "naoki" }, { "恵", "megumi" },
  { "悠斗", "yuto" }, { "彩", "aya" }, { "浩二", "koji" }, { "真由美", "mayumi" },
};

static const HeronSeedName ja_last[] = {
  { "佐藤", "sato" }, { "鈴木", "suzuki" }, { "高橋", "takahashi" }, { "田中", "tanaka" },
  { "伊藤", "ito" }, { "渡辺", "watanabe" }, { "山本", "yamamoto" }, { "中村", "nakamura" },
  { "小林", "kobayashi" }, { "加藤", "kato" }, { "吉田", "yoshida" }, { "山田", "yamada" },
  { "佐々木", "sasaki" }, { "松本", "matsumoto" }, { "井上", "inoue" }, { "木村", "kimura" },
};

static const char *const ja_phrases[] = {
  "予算を確認する必要があります", "お客様からスケジュールについて質問がありました",
  "最新の資料を添付します", "ご確認いただけますか", "今週中に対応します",
  "会議は木曜日に変更になりました", "電話でお話ししたとおりです", "数字は順調です",
  "一点だけ確認させてください", "来月リリースの予定です", "ご意見をお聞かせください",
  "明日また連絡します", "テスト結果が出ました", "承認をまだ待っています",
  "早速のご返信ありがとうございます", "今朝もサーバーが遅かったです",
  "契約書にもう一つ署名が必要です", "チームと話しました",
  "新しいバージョンで不具合が直りました", "電車が遅れました", "資料はほぼ完成しています",
  "請求書を添付します", "月曜日は不在です",
};

static const char *const ja_ends[] = { "。", "。", "。", "！" };

static const char *const ja_patterns[] = {
  "%s", "%sについて", "%sの件", "【ご確認】%s", "%sのご案内", "%s（再送）", "%sの進捗",
  "%s打ち合わせ",
};

static const char *const ja_topics[] = {
  "四半期報告書", "2025年度予算", "オフィス移転", "バージョン3.2", "新人研修",
  "ウェブサイト改修", "サーバー移行", "出張費精算", "顧客ワークショップ", "年次評価", "夏祭り",
  "ライセンス更新", "バックアップ",
};

static const char *const ja_stems[] = { "見積書", "議事録", "会議資料", "写真", "請求書" };

static const char *const ja_domains[] = { "kaisha.example", "tokyo.example", "daigaku.example" };

static const HeronSeedZone ja_zones[] = { { 540, FALSE, "JST", NULL } };

static const char *const ja_titles[] = { "営業部", "開発部", "総務部", "経理部" };

/* ---- Chinese -------------------------------------------------------------------------------- */

static const HeronSeedName zh_first[] = {
  { "伟", "wei" }, { "芳", "fang" }, { "娜", "na" }, { "敏", "min" }, { "静", "jing" },
  { "丽", "li" }, { "强", "qiang" }, { "磊", "lei" }, { "军", "jun" }, { "洋", "yang" },
  { "勇", "yong" }, { "艳", "yan" }, { "杰", "jie" }, { "娟", "juan" }, { "涛", "tao" },
  { "明", "ming" }, { "小红", "xiaohong" }, { "建国", "jianguo" }, { "志强", "zhiqiang" },
  { "秀英", "xiuying" },
};

static const HeronSeedName zh_last[] = {
  { "王", "wang" }, { "李", "li" }, { "张", "zhang" }, { "刘", "liu" }, { "陈", "chen" },
  { "杨", "yang" }, { "黄", "huang" }, { "赵", "zhao" }, { "吴", "wu" }, { "周", "zhou" },
  { "徐", "xu" }, { "孙", "sun" }, { "马", "ma" }, { "朱", "zhu" }, { "胡", "hu" },
  { "郭", "guo" },
};

static const char *const zh_phrases[] = {
  "我们需要检查预算", "客户询问了时间安排", "附件是最新的草稿", "请你看一下",
  "在本周结束之前", "会议改到了星期四", "正如电话里讨论的", "数据看起来不错",
  "还有一个问题没有解决", "发布计划在下个月", "请告诉我你的意见", "我明天再跟进",
  "测试结果已经出来了", "我们还在等待批准", "谢谢你的快速回复", "今天早上服务器又很慢",
  "合同还需要一个签名", "我和团队谈过了", "新版本修复了崩溃问题", "火车晚点了",
  "幻灯片快准备好了", "发票在附件里", "星期一我不在办公室",
};

static const char *const zh_ends[] = { "。", "。", "。", "！", "？" };

static const char *const zh_patterns[] = {
  "%s", "关于%s", "%s的问题", "%s：下一步", "会议纪要：%s", "邀请：%s", "%s进展",
};

static const char *const zh_topics[] = {
  "季度报告", "2025年预算", "办公室搬迁", "3.2版本", "团建活动", "新员工培训", "网站改版",
  "服务器迁移", "差旅费用", "客户研讨会", "年度评估", "许可证续期", "数据备份",
};

static const char *const zh_stems[] = { "会议纪要", "报价单", "项目计划", "照片" };

static const char *const zh_domains[] = { "gongsi.example", "beijing.example", "daxue.example" };

static const HeronSeedZone zh_zones[] = { { 480, FALSE, "CST", NULL } };

static const char *const zh_titles[] = { "项目经理", "财务部", "技术部" };

/* ---- Greek ---------------------------------------------------------------------------------- */

static const HeronSeedName el_first[] = {
  { "Γιώργος", "giorgos" }, { "Μαρία", "maria" }, { "Νίκος", "nikos" }, { "Ελένη", "eleni" },
  { "Δημήτρης", "dimitris" }, { "Κατερίνα", "katerina" }, { "Γιάννης", "giannis" },
  { "Σοφία", "sofia" }, { "Κώστας", "kostas" }, { "Αθηνά", "athina" },
  { "Παναγιώτης", "panagiotis" }, { "Δέσποινα", "despoina" }, { "Χρήστος", "christos" },
  { "Ιωάννα", "ioanna" },
};

static const HeronSeedName el_last[] = {
  { "Παπαδόπουλος", "papadopoulos" }, { "Γεωργίου", "georgiou" },
  { "Οικονόμου", "oikonomou" }, { "Νικολάου", "nikolaou" }, { "Βασιλείου", "vasileiou" },
  { "Δημητρίου", "dimitriou" }, { "Αντωνίου", "antoniou" }, { "Καραγιάννης", "karagiannis" },
  { "Μακρής", "makris" }, { "Ιωάννου", "ioannou" }, { "Αλεξίου", "alexiou" },
  { "Σταθόπουλος", "stathopoulos" },
};

static const char *const el_phrases[] = {
  "πρέπει να ελέγξουμε τον προϋπολογισμό", "ο πελάτης ρώτησε για το χρονοδιάγραμμα",
  "σας επισυνάπτω το προσχέδιο", "μπορείτε να ρίξετε μια ματιά",
  "πριν από το τέλος της εβδομάδας", "η συνάντηση μεταφέρθηκε την Πέμπτη",
  "όπως συζητήσαμε στο τηλέφωνο", "τα νούμερα φαίνονται καλά", "μένει ανοιχτή μία ερώτηση",
  "η έκδοση έχει προγραμματιστεί για τον επόμενο μήνα", "πείτε μου τη γνώμη σας",
  "θα επικοινωνήσω αύριο", "τα αποτελέσματα των δοκιμών είναι έτοιμα",
  "περιμένουμε ακόμη την έγκριση", "ευχαριστώ για τη γρήγορη απάντηση",
  "ο διακομιστής ήταν πάλι αργός", "το συμβόλαιο χρειάζεται μία υπογραφή",
  "μίλησα με την ομάδα", "η νέα έκδοση διορθώνει το σφάλμα", "το τρένο είχε καθυστέρηση",
  "το τιμολόγιο είναι συνημμένο",
};

static const char *const el_ends[] = { ".", ".", ".", "!" };

static const char *const el_patterns[] = {
  "%s", "%s", "Ερώτηση: %s", "%s: επόμενα βήματα", "Ενημέρωση: %s", "Πρακτικά: %s",
  "Πρόσκληση: %s",
};

static const char *const el_topics[] = {
  "τριμηνιαία αναφορά", "προϋπολογισμός 2025", "μετακόμιση γραφείου", "έκδοση 3.2",
  "σεμινάριο", "νέα ιστοσελίδα", "μετάβαση διακομιστών", "έξοδα ταξιδιού",
  "ετήσια αξιολόγηση", "ανανέωση αδειών",
};

static const char *const el_stems[] = { "Προσφορά", "Σύμβαση", "Παρουσίαση" };

static const char *const el_domains[] = { "etaireia.example", "athens.example" };

static const HeronSeedZone el_zones[] = { { 120, TRUE, "EET", "EEST" } };

static const char *const el_titles[] = { "Διευθυντής έργου", "Λογιστήριο", "Μηχανικός λογισμικού" };

/* ---- Arabic --------------------------------------------------------------------------------- */

static const HeronSeedName ar_first[] = {
  { "محمد", "mohammed" }, { "أحمد", "ahmed" }, { "فاطمة", "fatima" }, { "علي", "ali" },
  { "عائشة", "aisha" }, { "يوسف", "youssef" }, { "مريم", "maryam" }, { "خالد", "khaled" },
  { "ليلى", "layla" }, { "عمر", "omar" }, { "نور", "nour" }, { "حسن", "hassan" },
  { "سارة", "sara" }, { "كريم", "karim" },
};

static const HeronSeedName ar_last[] = {
  { "العلي", "alali" }, { "حسين", "hussein" }, { "الحسن", "alhassan" },
  { "منصور", "mansour" }, { "عبدالله", "abdullah" }, { "الخطيب", "alkhatib" },
  { "السيد", "elsayed" }, { "إبراهيم", "ibrahim" }, { "الشامي", "alshami" },
  { "حداد", "haddad" }, { "نصر", "nasr" }, { "سليمان", "suleiman" },
};

static const char *const ar_phrases[] = {
  "نحتاج إلى مراجعة الميزانية", "سأل العميل عن الجدول الزمني", "أرفقت لك المسودة الأخيرة",
  "هل يمكنك إلقاء نظرة", "قبل نهاية الأسبوع", "تم تأجيل الاجتماع إلى يوم الخميس",
  "كما ناقشنا في المكالمة", "الأرقام تبدو جيدة", "ما زال هناك سؤال واحد",
  "الإصدار مخطط له الشهر القادم", "أخبرني برأيك", "سأتابع معك غدا", "نتائج الاختبار جاهزة",
  "ما زلنا ننتظر الموافقة", "شكرا على الرد السريع", "كان الخادم بطيئا مرة أخرى",
  "العقد يحتاج إلى توقيع آخر", "تحدثت مع الفريق", "الإصدار الجديد يصلح المشكلة",
  "تأخر القطار", "الفاتورة مرفقة",
};

static const char *const ar_ends[] = { ".", ".", ".", "!", "؟" };

static const char *const ar_patterns[] = {
  "%s", "%s", "سؤال حول %s", "%s: الخطوات التالية", "تحديث بشأن %s", "محضر اجتماع: %s",
  "دعوة: %s",
};

static const char *const ar_topics[] = {
  "التقرير الربع سنوي", "ميزانية 2025", "نقل المكتب", "الإصدار 3.2", "ورشة العمل",
  "الموقع الجديد", "نقل الخوادم", "مصاريف السفر", "التقييم السنوي", "تجديد التراخيص",
};

static const char *const ar_stems[] = { "تقرير", "فاتورة", "عرض تقديمي" };

static const char *const ar_domains[] = { "sharika.example", "cairo.example", "dubai.example" };

static const HeronSeedZone ar_zones[] = {
  { 120, FALSE, "EET", NULL }, { 180, FALSE, NULL, NULL }, { 240, FALSE, NULL, NULL },
};

static const char *const ar_titles[] = { "مدير المشروع", "قسم المحاسبة", "مهندس برمجيات" };

/* ---- The table ------------------------------------------------------------------------------ */

#define HERON_SEED_LIST(a) (a), G_N_ELEMENTS (a)

const HeronSeedLang _heron_seed_langs[HERON_SEED_N_LANGS] = {
  [HERON_SEED_LANG_EN] = {
    "en", HERON_SEED_LIST (en_first), HERON_SEED_LIST (en_last), FALSE, " ",
    HERON_SEED_LIST (en_phrases), " ", ", ", HERON_SEED_LIST (en_ends),
    HERON_SEED_LIST (en_patterns), HERON_SEED_LIST (en_topics),
    "Hi {n},", FALSE, "Best regards,", "On {d}, {n} wrote:", "Re: ", "Fwd: ",
    "Forwarding this, see below.", HERON_SEED_LIST (en_stems), HERON_SEED_LIST (en_domains),
    HERON_SEED_LIST (en_zones), TRUE, HERON_SEED_LIST (en_titles),
  },
  [HERON_SEED_LANG_DE] = {
    "de", HERON_SEED_LIST (de_first), HERON_SEED_LIST (de_last), FALSE, " ",
    HERON_SEED_LIST (de_phrases), " ", ", ", HERON_SEED_LIST (de_ends),
    HERON_SEED_LIST (de_patterns), HERON_SEED_LIST (de_topics),
    "Hallo {n},", FALSE, "Viele Grüße", "Am {d} schrieb {n}:", "AW: ", "WG: ",
    "Zur Kenntnis, siehe unten.", HERON_SEED_LIST (de_stems), HERON_SEED_LIST (de_domains),
    HERON_SEED_LIST (cet_zones), TRUE, HERON_SEED_LIST (de_titles),
  },
  [HERON_SEED_LANG_FR] = {
    "fr", HERON_SEED_LIST (fr_first), HERON_SEED_LIST (fr_last), FALSE, " ",
    HERON_SEED_LIST (fr_phrases), " ", ", ", HERON_SEED_LIST (fr_ends),
    HERON_SEED_LIST (fr_patterns), HERON_SEED_LIST (fr_topics),
    "Bonjour {n},", FALSE, "Bien cordialement,", "Le {d}, {n} a écrit :", "RE: ", "TR: ",
    "Pour information, voir ci-dessous.", HERON_SEED_LIST (fr_stems),
    HERON_SEED_LIST (fr_domains), HERON_SEED_LIST (cet_zones), TRUE,
    HERON_SEED_LIST (fr_titles),
  },
  [HERON_SEED_LANG_PL] = {
    "pl", HERON_SEED_LIST (pl_first), HERON_SEED_LIST (pl_last), FALSE, " ",
    HERON_SEED_LIST (pl_phrases), " ", ", ", HERON_SEED_LIST (pl_ends),
    HERON_SEED_LIST (pl_patterns), HERON_SEED_LIST (pl_topics),
    "Cześć {n},", FALSE, "Pozdrawiam", "W dniu {d} {n} napisał(a):", "Odp: ", "PD: ",
    "Przesyłam dalej, szczegóły poniżej.", HERON_SEED_LIST (pl_stems),
    HERON_SEED_LIST (pl_domains), HERON_SEED_LIST (cet_zones), FALSE,
    HERON_SEED_LIST (pl_titles),
  },
  [HERON_SEED_LANG_ES] = {
    "es", HERON_SEED_LIST (es_first), HERON_SEED_LIST (es_last), FALSE, " ",
    HERON_SEED_LIST (es_phrases), " ", ", ", HERON_SEED_LIST (es_ends),
    HERON_SEED_LIST (es_patterns), HERON_SEED_LIST (es_topics),
    "Hola {n},", FALSE, "Un saludo,", "El {d}, {n} escribió:", "RE: ", "RV: ",
    "Te reenvío esto, mira abajo.", HERON_SEED_LIST (es_stems), HERON_SEED_LIST (es_domains),
    HERON_SEED_LIST (es_zones), TRUE, HERON_SEED_LIST (es_titles),
  },
  [HERON_SEED_LANG_JA] = {
    "ja", HERON_SEED_LIST (ja_first), HERON_SEED_LIST (ja_last), TRUE, " ",
    HERON_SEED_LIST (ja_phrases), "", "、", HERON_SEED_LIST (ja_ends),
    HERON_SEED_LIST (ja_patterns), HERON_SEED_LIST (ja_topics),
    "{n}さん", TRUE, "よろしくお願いいたします。", "{d} {n} さんは書きました:", "Re: ", "Fw: ",
    "以下、転送します。", HERON_SEED_LIST (ja_stems), HERON_SEED_LIST (ja_domains),
    HERON_SEED_LIST (ja_zones), FALSE, HERON_SEED_LIST (ja_titles),
  },
  [HERON_SEED_LANG_ZH] = {
    "zh", HERON_SEED_LIST (zh_first), HERON_SEED_LIST (zh_last), TRUE, "",
    HERON_SEED_LIST (zh_phrases), "", "，", HERON_SEED_LIST (zh_ends),
    HERON_SEED_LIST (zh_patterns), HERON_SEED_LIST (zh_topics),
    "{n}，你好：", FALSE, "祝好", "{n} 于 {d} 写道：", "回复：", "转发：",
    "转发给你，请看下面。", HERON_SEED_LIST (zh_stems), HERON_SEED_LIST (zh_domains),
    HERON_SEED_LIST (zh_zones), FALSE, HERON_SEED_LIST (zh_titles),
  },
  [HERON_SEED_LANG_EL] = {
    "el", HERON_SEED_LIST (el_first), HERON_SEED_LIST (el_last), FALSE, " ",
    HERON_SEED_LIST (el_phrases), " ", ", ", HERON_SEED_LIST (el_ends),
    HERON_SEED_LIST (el_patterns), HERON_SEED_LIST (el_topics),
    "Γεια σου {n},", FALSE, "Με εκτίμηση,", "Στις {d}, ο/η {n} έγραψε:", "ΑΠ: ", "ΠΡΘ: ",
    "Σας το προωθώ, δείτε παρακάτω.", HERON_SEED_LIST (el_stems),
    HERON_SEED_LIST (el_domains), HERON_SEED_LIST (el_zones), FALSE,
    HERON_SEED_LIST (el_titles),
  },
  [HERON_SEED_LANG_AR] = {
    "ar", HERON_SEED_LIST (ar_first), HERON_SEED_LIST (ar_last), FALSE, " ",
    HERON_SEED_LIST (ar_phrases), " ", "، ", HERON_SEED_LIST (ar_ends),
    HERON_SEED_LIST (ar_patterns), HERON_SEED_LIST (ar_topics),
    "مرحبا {n}،", FALSE, "مع أطيب التحيات،", "في {d}، كتب {n}:", "رد: ", "إعادة توجيه: ",
    "أعيد توجيه هذه الرسالة، انظر أدناه.", HERON_SEED_LIST (ar_stems),
    HERON_SEED_LIST (ar_domains), HERON_SEED_LIST (ar_zones), FALSE,
    HERON_SEED_LIST (ar_titles),
  },
};

/* ---- Mailing lists and newsletters ---------------------------------------------------------- */

const HeronSeedList _heron_seed_lists[] = {
  { "Heron developers", "heron-devel.lists.example.org", "heron-devel@lists.example.org",
    NULL, NULL, FALSE, HERON_SEED_LANG_EN },
  { "Desktop discussion", "desktop-devel.lists.example.org", "desktop-devel@lists.example.org",
    NULL, NULL, FALSE, HERON_SEED_LANG_EN },
  { "Vereinsnachrichten", "mitglieder.verein.beispiel.example",
    "mitglieder@verein.beispiel.example", NULL, NULL, FALSE, HERON_SEED_LANG_DE },
  { "Club de lecture", "lecture.listes.exemple.example", "lecture@listes.exemple.example",
    NULL, NULL, FALSE, HERON_SEED_LANG_FR },
  { "Example Weekly", "weekly.news.example.com", "weekly@news.example.com",
    "Example Weekly", "newsletter@news.example.com", TRUE, HERON_SEED_LANG_EN },
  { "Angebote der Woche", "angebote.shop.beispiel.example", "angebote@shop.beispiel.example",
    "Shop Beispiel – Angebote", "angebote@shop.beispiel.example", TRUE, HERON_SEED_LANG_DE },
  { "Tech News", "tech-news.kaisha.example", "news@kaisha.example",
    "技術ニュース編集部", "news@kaisha.example", TRUE, HERON_SEED_LANG_JA },
};

const guint _heron_seed_n_lists = G_N_ELEMENTS (_heron_seed_lists);

/* ---- Mail programs -------------------------------------------------------------------------- */

const HeronSeedMailer _heron_seed_mailers[HERON_SEED_N_MAILERS] = {
  [HERON_SEED_MAILER_THUNDERBIRD] = {
    "User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.12.2" },
  [HERON_SEED_MAILER_OUTLOOK] = { "X-Mailer", "Microsoft Outlook 16.0" },
  [HERON_SEED_MAILER_GMAIL] = { NULL, NULL },
  [HERON_SEED_MAILER_APPLE] = { "X-Mailer", "Apple Mail (2.3774.600.62)" },
  [HERON_SEED_MAILER_MUTT] = { "User-Agent", "Mutt/2.2.12 (2023-09-09)" },
  [HERON_SEED_MAILER_EVOLUTION] = { "User-Agent", "Evolution 3.46.4-2" },
  [HERON_SEED_MAILER_WEBMAIL] = { "User-Agent", "Roundcube Webmail/1.6.6" },
  [HERON_SEED_MAILER_PHONE] = { "X-Mailer", "iPhone Mail (21F90)" },
};

/* Style sheets as HTML mailers put them in <head>; the first is the long one word processors
 * write, the last is empty. */
const char *const _heron_seed_html_styles[] = {
  "<style><!--\n"
  "/* Font Definitions */\n"
  "@font-face\n\t{font-family:\"Cambria Math\";\n\tpanose-1:2 4 5 3 5 4 6 3 2 4;}\n"
  "@font-face\n\t{font-family:Calibri;\n\tpanose-1:2 15 5 2 2 2 4 3 2 4;}\n"
  "@font-face\n\t{font-family:Aptos;}\n"
  "/* Style Definitions */\n"
  "p.MsoNormal, li.MsoNormal, div.MsoNormal\n\t{margin:0cm;\n\tfont-size:11.0pt;\n"
  "\tfont-family:\"Calibri\",sans-serif;\n\tmso-ligatures:standardcontextual;\n"
  "\tmso-fareast-language:EN-US;}\n"
  "a:link, span.MsoHyperlink\n\t{mso-style-priority:99;\n\tcolor:#0563C1;\n"
  "\ttext-decoration:underline;}\n"
  "span.EmailStyle17\n\t{mso-style-type:personal-compose;\n"
  "\tfont-family:\"Calibri\",sans-serif;\n\tcolor:windowtext;}\n"
  ".MsoChpDefault\n\t{mso-style-type:export-only;\n\tfont-size:10.0pt;\n"
  "\tmso-fareast-language:EN-US;}\n"
  "@page WordSection1\n\t{size:612.0pt 792.0pt;\n\tmargin:72.0pt 72.0pt 72.0pt 72.0pt;}\n"
  "div.WordSection1\n\t{page:WordSection1;}\n"
  "--></style>\n",
  "<style type=\"text/css\">\n"
  "body { font-family: -apple-system, Helvetica, Arial, sans-serif; font-size: 14px; }\n"
  "blockquote { margin: 0 0 0 .8ex; border-left: 1px solid #ccc; padding-left: 1ex; }\n"
  ".signature { color: #777; }\n"
  "</style>\n",
  "",
};

const guint _heron_seed_n_html_styles = G_N_ELEMENTS (_heron_seed_html_styles);
