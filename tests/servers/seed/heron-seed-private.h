/* heron-seed-private.h: what the files of the seeding tool share among themselves.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "heron-seed.h"

G_BEGIN_DECLS

/* ---- Random numbers -------------------------------------------------------------------------
 * xoshiro256** seeded through splitmix64 from (seed, stream, index). Everything a message holds
 * comes from generators like this one, never from GRand or the clock, and only integer arithmetic
 * decides a byte, so a corpus is the same on every machine. */

typedef struct {
  guint64 s[4];
} HeronSeedRng;

typedef enum {
  HERON_SEED_STREAM_META = 1,   /* thread, people, subject of one message */
  HERON_SEED_STREAM_BODY,       /* everything else of one message */
  HERON_SEED_STREAM_DATES,      /* the arrival pattern of one block of messages */
  HERON_SEED_STREAM_PERSON,     /* one correspondent */
} HeronSeedStream;

void     _heron_seed_rng_init (HeronSeedRng *rng, guint64 seed, guint64 stream, guint64 index);

static inline guint64
_heron_seed_rotl (guint64 x, int k)
{
  return (x << k) | (x >> (64 - k));
}

static inline guint64
_heron_seed_rng_next (HeronSeedRng *rng)
{
  guint64 *s = rng->s;
  guint64 result = _heron_seed_rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = _heron_seed_rotl (s[3], 45);
  return result;
}

/* A uniform integer in [0, n), n > 0 (multiply-shift; the bias is below 2^-32). */
static inline guint32
_heron_seed_below (HeronSeedRng *rng, guint32 n)
{
  return (guint32) (((_heron_seed_rng_next (rng) >> 32) * (guint64) n) >> 32);
}

/* TRUE with probability per_mille / 1000. */
static inline gboolean
_heron_seed_chance (HeronSeedRng *rng, guint per_mille)
{
  return _heron_seed_below (rng, 1000) < per_mille;
}

/* Roughly log-normal: median * 2^(z * sigma_log2 / 16) with z roughly standard normal (sum of
 * four uniforms), clamped to [min, max]. Integer only. */
gsize    _heron_seed_lognormal (HeronSeedRng *rng, gsize median, guint sigma_log2_16ths, gsize min,
                                gsize max);

#define HERON_SEED_PICK(rng, array) ((array)[_heron_seed_below ((rng), G_N_ELEMENTS (array))])

/* ---- Words, names, places (heron-seed-words.c) ----------------------------------------------- */

typedef struct {
  const char *display;   /* as the person writes it, UTF-8 */
  const char *ascii;     /* for the address, lower case */
} HeronSeedName;

typedef struct {
  gint16      minutes;        /* standard time, east of UTC */
  gboolean    dst;            /* one hour more from April to October */
  const char *abbrev;         /* for the "(CET)" comment some mailers add */
  const char *abbrev_dst;
} HeronSeedZone;

typedef enum {
  HERON_SEED_LANG_EN,
  HERON_SEED_LANG_DE,
  HERON_SEED_LANG_FR,
  HERON_SEED_LANG_PL,
  HERON_SEED_LANG_ES,
  HERON_SEED_LANG_JA,
  HERON_SEED_LANG_ZH,
  HERON_SEED_LANG_EL,
  HERON_SEED_LANG_AR,
  HERON_SEED_N_LANGS
} HeronSeedLangId;

typedef struct {
  const char          *code;            /* "de" */
  const HeronSeedName *first_names;
  guint                n_first_names;
  const HeronSeedName *last_names;
  guint                n_last_names;
  gboolean             family_first;    /* display "Family Given" */
  const char          *name_sep;        /* between the parts of a display name */
  const char *const   *phrases;         /* pieces of sentences */
  guint                n_phrases;
  const char          *word_sep;        /* " ", or "" for Chinese and Japanese */
  const char          *comma;           /* ", " or "、" ... */
  const char *const   *sentence_ends;
  guint                n_sentence_ends;
  const char *const   *subject_patterns; /* with one %s for a topic */
  guint                n_subject_patterns;
  const char *const   *topics;
  guint                n_topics;
  const char          *greeting;        /* {n} is the name */
  gboolean             greet_family;    /* greet with the family name */
  const char          *closing;
  const char          *attribution;     /* {d} the date, {n} the name */
  const char          *reply_prefix;    /* "AW: " */
  const char          *forward_prefix;  /* "WG: " */
  const char          *forward_intro;
  const char *const   *attachment_stems;
  guint                n_attachment_stems;
  const char *const   *domains;
  guint                n_domains;
  const HeronSeedZone  *zones;
  guint                n_zones;
  gboolean             latin1;          /* its text fits ISO-8859-1 */
  const char *const   *titles;          /* job titles for signatures */
  guint                n_titles;
} HeronSeedLang;

extern const HeronSeedLang _heron_seed_langs[HERON_SEED_N_LANGS];

typedef struct {
  const char *name;
  const char *id;
  const char *address;
  const char *sender_name;     /* newsletters come from a fixed sender */
  const char *sender_address;
  gboolean    newsletter;
  guint8      lang;
} HeronSeedList;

extern const HeronSeedList _heron_seed_lists[];
extern const guint _heron_seed_n_lists;

typedef enum {
  HERON_SEED_MAILER_THUNDERBIRD,
  HERON_SEED_MAILER_OUTLOOK,
  HERON_SEED_MAILER_GMAIL,
  HERON_SEED_MAILER_APPLE,
  HERON_SEED_MAILER_MUTT,
  HERON_SEED_MAILER_EVOLUTION,
  HERON_SEED_MAILER_WEBMAIL,
  HERON_SEED_MAILER_PHONE,
  HERON_SEED_N_MAILERS
} HeronSeedMailerId;

typedef struct {
  const char *header;          /* "User-Agent" or "X-Mailer" */
  const char *value;
} HeronSeedMailer;

extern const HeronSeedMailer _heron_seed_mailers[HERON_SEED_N_MAILERS];

extern const char *const _heron_seed_html_styles[];
extern const guint _heron_seed_n_html_styles;

/* ---- Encoders (heron-seed-encode.c) ---------------------------------------------------------- */

/* Base64 in lines of 76 characters, each ending in "\n". */
void     _heron_seed_base64 (GString *out, const guint8 *data, gsize len);
/* Quoted-printable (RFC 2045) of text whose lines end in "\n": lines of at most 76 characters,
 * soft breaks "=\n", trailing white space encoded. */
void     _heron_seed_qp (GString *out, const char *text, gsize len);
/* Appends the ISO-8859-1 form of UTF-8 `text`; FALSE (and `out` unchanged) when a character does
 * not fit. */
gboolean _heron_seed_to_latin1 (GString *out, const char *text, gsize len);
gboolean _heron_seed_fits_latin1 (const char *text);
gboolean _heron_seed_is_ascii (const char *text, gsize len);

typedef enum {
  HERON_SEED_HDR_B_UTF8,       /* =?UTF-8?B?...?= */
  HERON_SEED_HDR_Q_UTF8,       /* =?UTF-8?Q?...?= */
  HERON_SEED_HDR_Q_LATIN1,     /* =?ISO-8859-1?Q?...?= */
  HERON_SEED_HDR_RAW_LATIN1,   /* bare ISO-8859-1 bytes, as broken mailers send */
  HERON_SEED_HDR_RAW_UTF8,     /* bare UTF-8 (RFC 6532) */
} HeronSeedHeaderMode;

/* Appends `text` (UTF-8) to a header whose current line started at out->len - *col: as is when
 * ASCII (quoted when `quote_specials` and it holds specials), else in `mode`, folding between
 * encoded words so that no line passes 78 characters. Updates *col. */
void     _heron_seed_header_text (GString *out, gsize *col, const char *text,
                                  HeronSeedHeaderMode mode, gboolean quote_specials);
/* Appends a parameter `name` for a file name: RFC 2231 (filename*=UTF-8''...) with `rfc2231`,
 * else RFC 2047 inside quotes, as Outlook and Gmail do; plain quoted when ASCII. Long RFC 2231
 * values are split into continuations. */
void     _heron_seed_header_param (GString *out, const char *name, const char *value,
                                   gboolean rfc2231);

guint32  _heron_seed_crc32 (guint32 crc, const guint8 *data, gsize len);

/* ---- Attachments (heron-seed-parts.c) -------------------------------------------------------- */

typedef enum {
  HERON_SEED_ATT_PDF,
  HERON_SEED_ATT_PNG,
  HERON_SEED_ATT_JPEG,
  HERON_SEED_ATT_TEXT,
  HERON_SEED_ATT_CSV,
  HERON_SEED_ATT_ICS,
  HERON_SEED_ATT_DOCX,
  HERON_SEED_ATT_ZIP,
  HERON_SEED_N_ATT
} HeronSeedAttKind;

typedef struct {
  const char *mime_type;
  const char *extension;
} HeronSeedAttType;

extern const HeronSeedAttType _heron_seed_att_types[HERON_SEED_N_ATT];

/* Each replaces the content of `bin` with a file drawn from `rng`: a real RGB PNG of the given
 * size; a one-page PDF of about `size` bytes showing `title`; `size` pseudo-random bytes between
 * `magic` and `trailer` (JPEG, ZIP, DOCX). */
void     _heron_seed_make_png (GString *bin, HeronSeedRng *rng, guint width, guint height);
void     _heron_seed_make_pdf (GString *bin, HeronSeedRng *rng, gsize size, const char *title);
void     _heron_seed_make_binary (GString *bin, HeronSeedRng *rng, gsize size,
                                  const char *magic, gsize magic_len, const char *trailer,
                                  gsize trailer_len);
/* `len` pseudo-random bytes, the same on every machine whatever its byte order. */
void     _heron_seed_fill_random (guint8 *dest, HeronSeedRng *rng, gsize len);

/* ---- Dates ----------------------------------------------------------------------------------- */

typedef enum {
  HERON_SEED_DATE_PLAIN,         /* "Tue, 4 Jun 2024 14:03:22 +0200" */
  HERON_SEED_DATE_SPACE_PADDED,  /* "Tue,  4 Jun 2024 14:03:22 +0200", as Postfix writes */
  HERON_SEED_DATE_ZERO_PADDED,   /* "Tue, 04 Jun 2024 14:03:22 +0200" */
  HERON_SEED_DATE_NO_WEEKDAY,    /* "4 Jun 2024 14:03:22 +0200" */
} HeronSeedDateStyle;

/* The instant `t` as seen at `offset_minutes` east of UTC, in RFC 5322 form. */
void     _heron_seed_format_date (GString *out, gint64 t, gint offset_minutes,
                                  HeronSeedDateStyle style);
/* Year, month (1-12), day, hour, minute, second of `t` + offset. */
void     _heron_seed_civil (gint64 t, gint *year, gint *month, gint *day, gint *hour, gint *minute,
                            gint *second, gint *weekday);

/* ---- People, threads, the generator (heron-seed.c) ------------------------------------------ */

#define HERON_SEED_OWNER       G_MAXUINT          /* the mailbox owner as a person id */
#define HERON_SEED_NEWSLETTER  (G_MAXUINT - 1)    /* the fixed sender of a newsletter */
#define HERON_SEED_N_PEOPLE    700
#define HERON_SEED_MAX_DEPTH   12                 /* replies in one thread branch */
#define HERON_SEED_MAX_RCPT    5

typedef struct {
  guint8               lang;
  guint8               mailer;
  gboolean             legacy;        /* a mailer that still sends ISO-8859-1 */
  const HeronSeedZone *zone;
  const char          *domain;
  const char          *title;
  char                 greet[64];     /* what a reply's greeting calls this person */
  char                 first[64];
  char                 display[128];  /* UTF-8 */
  char                 address[128];
} HeronSeedPerson;

typedef struct {
  guint    index;
  gboolean reply;
  guint    parent;
  guint    root;
  guint    depth;
  gint     list;                      /* index into _heron_seed_lists or -1 */
  gboolean forward;                   /* the thread starts with a forwarded message */
  guint    from;
  guint    to[HERON_SEED_MAX_RCPT];
  guint    n_to;
  guint    cc[HERON_SEED_MAX_RCPT];
  guint    n_cc;
  guint8   subject_lang;
  guint64  subject_key;
} HeronSeedMeta;

typedef struct {
  guint64              seed;
  char                *owner_address;
  const char          *owner_domain;
  char                *owner_name;
  char                *owner_first;
  gint64               newest;         /* date of last_index */
  guint                last_index;
  gint64               last_offset;

  /* The arrival pattern of the last block asked for. */
  gboolean             have_block;
  guint64              block;
  guint64              cum[65];

  /* The message being built and its ancestors: chain[0] is the message, chain[k] its k-th
   * ancestor, chain[chain_len - 1] the thread's root. */
  HeronSeedMeta        chain[HERON_SEED_MAX_DEPTH + 1];
  guint                chain_len;

  /* Scratch buffers, kept from one message to the next. */
  GString             *text;
  GString             *bin;
  GString             *scratch;
  GString             *subject;
  GString             *line;
} HeronSeedGen;

void     _heron_seed_gen_init (HeronSeedGen *gen, const HeronSeedSpec *spec);
void     _heron_seed_gen_clear (HeronSeedGen *gen);
gint64   _heron_seed_gen_date (HeronSeedGen *gen, guint index);
void     _heron_seed_gen_chain (HeronSeedGen *gen, guint index);
void     _heron_seed_person (HeronSeedGen *gen, guint id, gint list, HeronSeedPerson *out);
gint     _heron_seed_zone_offset (const HeronSeedZone *zone, gint64 t);
void     _heron_seed_append_message_id (HeronSeedGen *gen, GString *out, const HeronSeedMeta *meta);
/* The subject a thread started with, without any prefix, into gen->subject. */
void     _heron_seed_root_subject (HeronSeedGen *gen, const HeronSeedMeta *meta, GString *out);
guint64  _heron_seed_hash (guint64 seed, guint64 stream, guint64 index);

/* ---- Text of a body (heron-seed-text.c) ----------------------------------------------------- */

typedef enum {
  HERON_SEED_TEXT_PLAIN,
  HERON_SEED_TEXT_FLOWED,
  HERON_SEED_TEXT_HTML,
} HeronSeedTextStyle;

typedef enum {
  HERON_SEED_HTML_OUTLOOK,
  HERON_SEED_HTML_GMAIL,
  HERON_SEED_HTML_PLAIN,
} HeronSeedHtmlFlavour;

typedef enum {
  HERON_SEED_QUOTE_NONE,
  HERON_SEED_QUOTE_ABOVE,     /* the quote first, the answer under it (mutt, Thunderbird) */
  HERON_SEED_QUOTE_BELOW,     /* the answer on top, the quote under it */
  HERON_SEED_QUOTE_OUTLOOK,   /* the answer on top, the original unquoted under its headers */
} HeronSeedQuoteStyle;

typedef struct {
  HeronSeedRng         rng;          /* plain and HTML versions draw the same words */
  const HeronSeedLang *lang;
  const HeronSeedLang *quote_lang;
  const char          *greet;        /* whom the greeting names, or NULL */
  char                 greet_buf[64];
  const char          *intro;        /* a first line, or NULL */
  const char          *closing_name;
  const char          *signature_name;
  const char          *signature_title;
  char                 company[64];
  guint                n_paragraphs;
  gboolean             closing;
  gboolean             signature;
  HeronSeedQuoteStyle  quote;
  guint                quote_levels;
  guint                quoted_paragraphs;
  char                 attribution1[384];
  char                 attribution2[384];
  char                 outlook_block[768];
  const char          *cid;          /* an inline image in the HTML version */
  guint                img_width;
  guint                img_height;
  gboolean             rtl;
  gboolean             newsletter;
  const char          *newsletter_name;
  const char          *newsletter_domain;
  guint64              newsletter_key;
} HeronSeedText;

/* Renders the body `text` describes into `out`, wrapped at 72 (text) or 76 (HTML) columns. */
void     _heron_seed_render_text (const HeronSeedText *text, GString *out, HeronSeedTextStyle style,
                                  HeronSeedHtmlFlavour flavour);
/* `n` paragraphs of plain text in `lang`. */
void     _heron_seed_render_paragraphs (GString *out, HeronSeedRng *rng, const HeronSeedLang *lang,
                                        guint n);
/* `template` with {n} replaced by `name` and {d} by `date`. */
void     _heron_seed_expand (GString *out, const char *template, const char *name, const char *date);

/* ---- Messages (heron-seed-message.c) --------------------------------------------------------- */

/* Appends message `index` to `out`; its date and Maildir flag letters ("FRS", sorted) come back
 * in *out_date and `flags`. */
void     _heron_seed_build_message (HeronSeedGen *gen, guint index, GString *out, gint64 *out_date,
                                    char flags[8]);

G_END_DECLS
