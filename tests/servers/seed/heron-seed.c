/* heron-seed.c: the corpus' skeleton (who writes to whom, when, in which thread) and the
 * public API that writes it into a Maildir.
 *
 * Every property of message `i` is drawn from generators seeded with (seed, i) only, plus the
 * date rule of the spec and the owner's address, so any message can be made alone, in any
 * order, in any process. Threads stay computable that way because a reply draws its parent's
 * index from its own generator: walking up from a message visits each ancestor once, and the
 * ancestors' metadata is recomputed from their own generators.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "heron-seed-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- Random numbers ------------------------------------------------------------------------ */

static guint64
mix64 (guint64 z)
{
  z += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

guint64
_heron_seed_hash (guint64 seed, guint64 stream, guint64 index)
{
  return mix64 (mix64 (mix64 (seed) ^ stream) ^ index);
}

void
_heron_seed_rng_init (HeronSeedRng *rng, guint64 seed, guint64 stream, guint64 index)
{
  guint64 x = _heron_seed_hash (seed, stream, index);

  for (int i = 0; i < 4; i++)
    {
      x += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
      rng->s[i] = mix64 (x);
    }
}

gsize
_heron_seed_lognormal (HeronSeedRng *rng, gsize median, guint sigma_log2_16ths, gsize min,
                       gsize max)
{
  /* 2^(k/16) in 16.16 fixed point. */
  static const guint32 pow2_16ths[16] = {
    65536, 68438, 71468, 74632, 77936, 81386, 84990, 88752,
    92682, 96785, 101070, 105545, 110218, 115098, 120194, 125515,
  };
  guint64 r = _heron_seed_rng_next (rng);
  gint64 z = (gint64) (r & 0xffff) + (gint64) ((r >> 16) & 0xffff) +
             (gint64) ((r >> 32) & 0xffff) + (gint64) (r >> 48) - 131072;
  /* The sum of four uniforms on [0, 65536) has a standard deviation of 37837. */
  gint64 e = z * (gint64) sigma_log2_16ths / 37837;
  gint64 whole = e >= 0 ? e / 16 : -((-e + 15) / 16);
  guint frac = (guint) (e - whole * 16);
  guint64 v = ((guint64) median * pow2_16ths[frac]) >> 16;

  if (whole >= 0)
    v = whole > 20 ? G_MAXUINT32 : v << whole;
  else
    v = whole < -40 ? 0 : v >> -whole;
  return (gsize) CLAMP (v, (guint64) min, (guint64) max);
}

/* ---- Dates ----------------------------------------------------------------------------------
 * Messages arrive in blocks of 64 spread over 32 hours (a mean gap of half an hour). Inside a
 * block the gaps are drawn from a mix of bursts (a few minutes), ordinary gaps and long quiet
 * spells (hours), then scaled to fill the block; one second is added per message so that no two
 * messages share a second, which keeps the Maildir names (and so Dovecot's UIDs) in date order.
 * The date of a message needs only its own block's 65 weights. */

#define BLOCK_MESSAGES 64
#define BLOCK_SECONDS  (BLOCK_MESSAGES * 1800)

static void
block_weights (guint64 seed, guint64 block, guint64 cum[BLOCK_MESSAGES + 1])
{
  HeronSeedRng rng;
  guint64 total = 0;

  _heron_seed_rng_init (&rng, seed, HERON_SEED_STREAM_DATES, block);
  for (guint k = 0; k <= BLOCK_MESSAGES; k++)
    {
      guint64 a = _heron_seed_rng_next (&rng);
      guint64 b = _heron_seed_rng_next (&rng);
      /* A geometric number of halvings stands in for an exponential draw. */
      guint64 w = 64 * (guint64) __builtin_clzll (a | 1) + (b & 63) + 1;
      guint kind = (guint) ((b >> 8) % 100);

      if (kind < 20)
        w = w / 16 + 1;         /* a burst: the next message comes within minutes */
      else if (kind >= 88)
        w *= 6;                 /* nobody writes for hours */
      total += w;
      cum[k] = total;
    }
}

static gint64
offset_with (const guint64 cum[BLOCK_MESSAGES + 1], guint64 index)
{
  guint64 block = index / BLOCK_MESSAGES;
  guint k = (guint) (index % BLOCK_MESSAGES);

  return (gint64) (block * BLOCK_SECONDS + k +
                   (BLOCK_SECONDS - BLOCK_MESSAGES - 1) * cum[k] / cum[BLOCK_MESSAGES]);
}

static gint64
date_offset (guint64 seed, guint64 index)
{
  guint64 cum[BLOCK_MESSAGES + 1];

  block_weights (seed, index / BLOCK_MESSAGES, cum);
  return offset_with (cum, index);
}

gint64
_heron_seed_gen_date (HeronSeedGen *gen, guint index)
{
  guint64 block = index / BLOCK_MESSAGES;

  if (!gen->have_block || gen->block != block)
    {
      block_weights (gen->seed, block, gen->cum);
      gen->block = block;
      gen->have_block = TRUE;
    }
  return gen->newest - (gen->last_offset - offset_with (gen->cum, index));
}

gint64
heron_seed_date (const HeronSeedSpec *spec, guint index)
{
  guint last;
  gint64 newest;

  g_return_val_if_fail (spec != NULL, 0);

  last = spec->first_index + MAX (spec->count, 1) - 1;
  newest = spec->newest_date != 0 ? spec->newest_date : HERON_SEED_DEFAULT_NEWEST_DATE;
  return newest - (date_offset (spec->seed, last) - date_offset (spec->seed, index));
}

void
_heron_seed_civil (gint64 t, gint *year, gint *month, gint *day, gint *hour, gint *minute,
                   gint *second, gint *weekday)
{
  gint64 days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
  gint64 secs = t - days * 86400;
  /* Days since 0000-03-01 in the proleptic Gregorian calendar, split into 400-year eras, then
   * years of the era (a year here runs from March, so the leap day comes last). */
  gint64 z = days + 719468;
  gint64 era = (z >= 0 ? z : z - 146096) / 146097;
  gint64 doe = z - era * 146097;
  gint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  gint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  gint64 mp = (5 * doy + 2) / 153;
  gint64 m = mp < 10 ? mp + 3 : mp - 9;

  *year = (gint) (yoe + era * 400 + (m <= 2 ? 1 : 0));
  *month = (gint) m;
  *day = (gint) (doy - (153 * mp + 2) / 5 + 1);
  *hour = (gint) (secs / 3600);
  *minute = (gint) (secs / 60 % 60);
  *second = (gint) (secs % 60);
  *weekday = (gint) (((days % 7) + 11) % 7);     /* 1970-01-01 was a Thursday; 0 is Sunday */
}

void
_heron_seed_format_date (GString *out, gint64 t, gint offset_minutes, HeronSeedDateStyle style)
{
  static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
  static const char *const months[] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  };
  gint y, mo, d, h, mi, s, wd;
  gint off = ABS (offset_minutes);

  _heron_seed_civil (t + offset_minutes * 60, &y, &mo, &d, &h, &mi, &s, &wd);
  switch (style)
    {
    case HERON_SEED_DATE_PLAIN:
      g_string_append_printf (out, "%s, %d ", days[wd], d);
      break;
    case HERON_SEED_DATE_SPACE_PADDED:
      g_string_append_printf (out, "%s, %2d ", days[wd], d);
      break;
    case HERON_SEED_DATE_ZERO_PADDED:
      g_string_append_printf (out, "%s, %02d ", days[wd], d);
      break;
    case HERON_SEED_DATE_NO_WEEKDAY:
    default:
      g_string_append_printf (out, "%d ", d);
      break;
    }
  g_string_append_printf (out, "%s %04d %02d:%02d:%02d %c%02d%02d", months[mo - 1], y, h, mi, s,
                          offset_minutes < 0 ? '-' : '+', off / 60, off % 60);
}

gint
_heron_seed_zone_offset (const HeronSeedZone *zone, gint64 t)
{
  gint y, mo, d, h, mi, s, wd;

  if (!zone->dst)
    return zone->minutes;
  /* Summer time from April to October: close enough for mail. */
  _heron_seed_civil (t + zone->minutes * 60, &y, &mo, &d, &h, &mi, &s, &wd);
  return zone->minutes + (mo >= 4 && mo <= 10 ? 60 : 0);
}

/* ---- People --------------------------------------------------------------------------------- */

static const HeronSeedZone owner_zone = { 60, TRUE, "CET", "CEST" };
static const HeronSeedZone utc_zone = { 0, FALSE, "UTC", NULL };

static guint
pick_weighted (HeronSeedRng *rng, const guint8 *weights, guint n)
{
  guint total = 0;
  guint r;

  for (guint i = 0; i < n; i++)
    total += weights[i];
  r = _heron_seed_below (rng, total);
  for (guint i = 0; i < n; i++)
    {
      if (r < weights[i])
        return i;
      r -= weights[i];
    }
  return n - 1;
}

void
_heron_seed_person (HeronSeedGen *gen, guint id, gint list, HeronSeedPerson *out)
{
  static const guint8 lang_weights[HERON_SEED_N_LANGS] = { 40, 14, 10, 7, 7, 6, 6, 5, 5 };
  static const guint8 mailer_weights[HERON_SEED_N_MAILERS] = { 16, 24, 24, 12, 4, 5, 7, 8 };
  HeronSeedRng rng;
  const HeronSeedLang *lang;
  const HeronSeedName *first, *last;
  guint style;

  memset (out, 0, sizeof *out);

  if (id == HERON_SEED_OWNER)
    {
      out->lang = HERON_SEED_LANG_EN;
      out->mailer = HERON_SEED_MAILER_EVOLUTION;
      out->zone = &owner_zone;
      out->domain = gen->owner_domain;
      out->title = "";
      g_strlcpy (out->greet, gen->owner_first, sizeof out->greet);
      g_strlcpy (out->first, gen->owner_first, sizeof out->first);
      g_strlcpy (out->display, gen->owner_name, sizeof out->display);
      g_strlcpy (out->address, gen->owner_address, sizeof out->address);
      return;
    }

  if (id == HERON_SEED_NEWSLETTER)
    {
      const HeronSeedList *l = &_heron_seed_lists[list >= 0 ? (guint) list : 0];

      out->lang = l->lang;
      out->mailer = HERON_SEED_MAILER_WEBMAIL;
      out->zone = &utc_zone;
      out->domain = strchr (l->sender_address, '@') + 1;
      out->title = "";
      g_strlcpy (out->display, l->sender_name, sizeof out->display);
      g_strlcpy (out->first, l->sender_name, sizeof out->first);
      g_strlcpy (out->address, l->sender_address, sizeof out->address);
      return;
    }

  _heron_seed_rng_init (&rng, gen->seed, HERON_SEED_STREAM_PERSON, id);
  out->lang = (guint8) pick_weighted (&rng, lang_weights, HERON_SEED_N_LANGS);
  lang = &_heron_seed_langs[out->lang];
  first = &lang->first_names[_heron_seed_below (&rng, lang->n_first_names)];
  last = &lang->last_names[_heron_seed_below (&rng, lang->n_last_names)];
  out->mailer = (guint8) pick_weighted (&rng, mailer_weights, HERON_SEED_N_MAILERS);
  out->legacy = lang->latin1 && _heron_seed_chance (&rng, 200);
  out->zone = &lang->zones[_heron_seed_below (&rng, lang->n_zones)];
  out->domain = lang->domains[_heron_seed_below (&rng, lang->n_domains)];
  out->title = lang->titles[_heron_seed_below (&rng, lang->n_titles)];

  g_strlcpy (out->first, first->display, sizeof out->first);
  if (lang->family_first)
    g_snprintf (out->display, sizeof out->display, "%s%s%s", last->display, lang->name_sep,
                first->display);
  else if (!lang->family_first && out->mailer == HERON_SEED_MAILER_OUTLOOK &&
           _heron_seed_chance (&rng, 300))
    g_snprintf (out->display, sizeof out->display, "%s, %s", last->display, first->display);
  else
    g_snprintf (out->display, sizeof out->display, "%s %s", first->display, last->display);
  if (_heron_seed_chance (&rng, 40))
    out->display[0] = '\0';     /* some people send without a name */

  if (out->lang == HERON_SEED_LANG_ZH)
    g_strlcpy (out->greet, out->display[0] != '\0' ? out->display : first->display,
               sizeof out->greet);
  else
    g_strlcpy (out->greet, lang->greet_family ? last->display : first->display,
               sizeof out->greet);

  style = _heron_seed_below (&rng, 6);
  switch (style)
    {
    case 0:
      g_snprintf (out->address, sizeof out->address, "%c%s@%s", first->ascii[0], last->ascii,
                  out->domain);
      break;
    case 1:
      g_snprintf (out->address, sizeof out->address, "%s@%s", first->ascii, out->domain);
      break;
    case 2:
      g_snprintf (out->address, sizeof out->address, "%s.%s@%s", last->ascii, first->ascii,
                  out->domain);
      break;
    case 3:
      g_snprintf (out->address, sizeof out->address, "%s_%s%u@%s", first->ascii, last->ascii,
                  id % 97, out->domain);
      break;
    default:
      g_snprintf (out->address, sizeof out->address, "%s.%s@%s", first->ascii, last->ascii,
                  out->domain);
      break;
    }
}

static guint8
person_lang (HeronSeedGen *gen, guint id, gint list)
{
  HeronSeedPerson p;

  _heron_seed_person (gen, id, list, &p);
  return p.lang;
}

/* Correspondents are not equally frequent: low ids come up far more often. */
static guint
pick_person (HeronSeedRng *rng)
{
  return _heron_seed_below (rng, _heron_seed_below (rng, HERON_SEED_N_PEOPLE) + 1);
}

/* ---- Threads -------------------------------------------------------------------------------- */

static gboolean
has (const guint *ids, guint n, guint id)
{
  for (guint i = 0; i < n; i++)
    if (ids[i] == id)
      return TRUE;
  return FALSE;
}

static void
add (guint *ids, guint *n, guint id)
{
  if (*n < HERON_SEED_MAX_RCPT && !has (ids, *n, id))
    ids[(*n)++] = id;
}

static gboolean
is_recipient (const HeronSeedMeta *m, guint id)
{
  return has (m->to, m->n_to, id) || has (m->cc, m->n_cc, id);
}

static guint
pick_other (HeronSeedRng *rng, guint a, guint b)
{
  for (;;)
    {
      guint p = pick_person (rng);

      if (p != a && p != b)
        return p;
    }
}

/* The first two draws of a message's META generator: is it a reply, and to which index. */
static void
meta_raw (guint index, HeronSeedRng *rng, gboolean *reply, guint *parent)
{
  gboolean wants = _heron_seed_chance (rng, 450);
  guint roll = _heron_seed_below (rng, 100);
  guint distance;

  if (roll < 45)
    distance = 1 + _heron_seed_below (rng, 4);
  else if (roll < 85)
    distance = 1 + _heron_seed_below (rng, 40);
  else
    distance = 1 + _heron_seed_below (rng, 400);

  *reply = wants && distance <= index;
  *parent = *reply ? index - distance : index;
}

static void
people_root (HeronSeedGen *gen, HeronSeedRng *rng, HeronSeedMeta *m)
{
  if (m->list >= 0 && _heron_seed_lists[m->list].newsletter)
    {
      m->from = HERON_SEED_NEWSLETTER;
      add (m->to, &m->n_to, HERON_SEED_OWNER);
      return;
    }

  if (m->list >= 0)
    {
      /* To: the list; the owner in Cc, as reply-all on a list does. */
      m->from = _heron_seed_chance (rng, 80) ? HERON_SEED_OWNER : pick_person (rng);
      if (m->from != HERON_SEED_OWNER)
        add (m->cc, &m->n_cc, HERON_SEED_OWNER);
      return;
    }

  if (_heron_seed_chance (rng, 100))
    {
      /* Sent by the owner, as a Sent folder holds. */
      guint n = 1 + _heron_seed_below (rng, 2);

      m->from = HERON_SEED_OWNER;
      for (guint i = 0; i < n; i++)
        add (m->to, &m->n_to, pick_person (rng));
      if (_heron_seed_chance (rng, 250))
        add (m->cc, &m->n_cc, pick_other (rng, m->to[0], m->to[0]));
      return;
    }

  m->from = pick_person (rng);
  if (_heron_seed_chance (rng, 850))
    {
      add (m->to, &m->n_to, HERON_SEED_OWNER);
      if (_heron_seed_chance (rng, 300))
        add (m->to, &m->n_to, pick_other (rng, m->from, m->from));
      if (_heron_seed_chance (rng, 250))
        {
          guint n = 1 + _heron_seed_below (rng, 2);

          for (guint i = 0; i < n; i++)
            add (m->cc, &m->n_cc, pick_other (rng, m->from, m->from));
        }
    }
  else
    {
      add (m->to, &m->n_to, pick_other (rng, m->from, m->from));
      add (m->cc, &m->n_cc, HERON_SEED_OWNER);
      if (_heron_seed_chance (rng, 300))
        add (m->cc, &m->n_cc, pick_other (rng, m->from, m->from));
    }
}

static void
people_reply (HeronSeedRng *rng, const HeronSeedMeta *parent, HeronSeedMeta *m)
{
  if (m->list >= 0)
    {
      if (_heron_seed_chance (rng, 120) && parent->from != HERON_SEED_OWNER)
        m->from = HERON_SEED_OWNER;
      else
        m->from = pick_other (rng, parent->from, parent->from);
      if (m->from != HERON_SEED_OWNER)
        add (m->cc, &m->n_cc, HERON_SEED_OWNER);
      if (parent->from != HERON_SEED_OWNER && _heron_seed_chance (rng, 400))
        add (m->cc, &m->n_cc, parent->from);
      return;
    }

  if (parent->from == HERON_SEED_OWNER)
    {
      /* Someone the owner wrote to answers. */
      m->from = parent->to[0];
      add (m->to, &m->n_to, HERON_SEED_OWNER);
    }
  else if (_heron_seed_chance (rng, 350))
    {
      m->from = HERON_SEED_OWNER;
      add (m->to, &m->n_to, parent->from);
    }
  else
    {
      guint candidates[2 * HERON_SEED_MAX_RCPT];
      guint n = 0;

      for (guint i = 0; i < parent->n_to; i++)
        if (parent->to[i] != HERON_SEED_OWNER)
          candidates[n++] = parent->to[i];
      for (guint i = 0; i < parent->n_cc; i++)
        if (parent->cc[i] != HERON_SEED_OWNER)
          candidates[n++] = parent->cc[i];
      if (n > 0 && _heron_seed_chance (rng, 700))
        m->from = candidates[_heron_seed_below (rng, n)];
      else
        m->from = pick_other (rng, parent->from, parent->from);
      add (m->to, &m->n_to, parent->from);
    }

  /* Reply to all: everyone else the parent went to stays in Cc. */
  for (guint i = 0; i < parent->n_to; i++)
    if (parent->to[i] != m->from && !is_recipient (m, parent->to[i]))
      add (m->cc, &m->n_cc, parent->to[i]);
  for (guint i = 0; i < parent->n_cc; i++)
    if (parent->cc[i] != m->from && !is_recipient (m, parent->cc[i]))
      add (m->cc, &m->n_cc, parent->cc[i]);
  if (m->from != HERON_SEED_OWNER && !is_recipient (m, HERON_SEED_OWNER))
    {
      if (m->n_cc == HERON_SEED_MAX_RCPT)
        m->n_cc--;
      add (m->cc, &m->n_cc, HERON_SEED_OWNER);
    }
}

static void
meta_fill (HeronSeedGen *gen, guint index, HeronSeedRng *rng, gboolean raw_reply, guint raw_parent,
           const HeronSeedMeta *parent, HeronSeedMeta *m)
{
  memset (m, 0, sizeof *m);
  m->index = index;
  m->list = -1;

  if (raw_reply && parent != NULL && parent->index == raw_parent &&
      parent->depth < HERON_SEED_MAX_DEPTH &&
      !(parent->list >= 0 && _heron_seed_lists[parent->list].newsletter))
    {
      m->reply = TRUE;
      m->parent = parent->index;
      m->root = parent->root;
      m->depth = parent->depth + 1;
      m->list = parent->list;
      m->forward = parent->forward;
      m->subject_lang = parent->subject_lang;
      m->subject_key = parent->subject_key;
      people_reply (rng, parent, m);
      return;
    }

  m->parent = index;
  m->root = index;
  if (_heron_seed_chance (rng, 150))
    {
      /* Discussion lists more often than newsletters. */
      static const guint8 list_weights[] = { 30, 20, 12, 8, 14, 10, 6 };

      G_STATIC_ASSERT (G_N_ELEMENTS (list_weights) == 7);
      m->list = (gint) pick_weighted (rng, list_weights, MIN (_heron_seed_n_lists, 7));
    }
  m->forward = m->list < 0 && _heron_seed_chance (rng, 30);
  m->subject_key = _heron_seed_rng_next (rng);
  people_root (gen, rng, m);
  if (m->list >= 0)
    m->subject_lang = _heron_seed_lists[m->list].lang;
  else
    m->subject_lang = person_lang (gen, m->from, m->list);
}

void
_heron_seed_gen_chain (HeronSeedGen *gen, guint index)
{
  /* Walk up the raw parents to a message that is no reply at all, then decide from the top
   * down which replies stay replies (a branch deeper than HERON_SEED_MAX_DEPTH, or an answer
   * to a newsletter, starts a new thread instead). */
  guint stack_raw[64];
  g_autofree guint *heap_raw = NULL;
  guint *raw = stack_raw;
  gsize cap = G_N_ELEMENTS (stack_raw);
  gsize n = 0;
  guint at = index;
  HeronSeedMeta *metas;
  g_autofree HeronSeedMeta *heap_metas = NULL;
  HeronSeedMeta stack_metas[8] = { { 0 } };
  gsize k;

  for (;;)
    {
      HeronSeedRng rng;
      gboolean reply;
      guint parent;

      if (n == cap)
        {
          heap_raw = g_renew (guint, heap_raw, cap * 2);
          if (raw == stack_raw)
            memcpy (heap_raw, stack_raw, sizeof stack_raw);
          raw = heap_raw;
          cap *= 2;
        }
      raw[n++] = at;
      _heron_seed_rng_init (&rng, gen->seed, HERON_SEED_STREAM_META, at);
      meta_raw (at, &rng, &reply, &parent);
      if (!reply)
        break;
      at = parent;
    }

  metas = n <= G_N_ELEMENTS (stack_metas) ? stack_metas
                                          : (heap_metas = g_new (HeronSeedMeta, n));
  for (gsize i = n; i-- > 0;)
    {
      HeronSeedRng rng;
      gboolean reply;
      guint parent;

      _heron_seed_rng_init (&rng, gen->seed, HERON_SEED_STREAM_META, raw[i]);
      meta_raw (raw[i], &rng, &reply, &parent);
      meta_fill (gen, raw[i], &rng, reply, parent, i + 1 < n ? &metas[i + 1] : NULL, &metas[i]);
    }

  /* The effective ancestors are a prefix of the raw ones. */
  gen->chain[0] = metas[0];
  for (k = 1; k < n && gen->chain[k - 1].reply; k++)
    gen->chain[k] = metas[k];
  gen->chain_len = (guint) k;
  g_assert (gen->chain_len <= HERON_SEED_MAX_DEPTH + 1);
}

/* ---- Identifiers ---------------------------------------------------------------------------- */

void
_heron_seed_append_message_id (HeronSeedGen *gen, GString *out, const HeronSeedMeta *meta)
{
  HeronSeedPerson from;
  guint64 h = _heron_seed_hash (gen->seed, 0x1d, meta->index);
  /* The index, scrambled by a per-seed constant: distinct for distinct indexes. */
  guint64 j = meta->index ^ (_heron_seed_hash (gen->seed, 0x1e, 0) & G_GUINT64_CONSTANT (0xffffffffffff));
  guint32 j32 = (guint32) (meta->index ^ (guint32) _heron_seed_hash (gen->seed, 0x1f, 0));
  const char *domain;

  _heron_seed_person (gen, meta->from, meta->list, &from);
  domain = from.domain;

  switch (from.mailer)
    {
    case HERON_SEED_MAILER_THUNDERBIRD:
      g_string_append_printf (out, "%08x-%04x-4%03x-%04x-%012" G_GINT64_MODIFIER "x@%s",
                              (guint32) (h >> 32), (guint) (h >> 16) & 0xffff,
                              (guint) h & 0xfff, 0x8000 | ((guint) (h >> 4) & 0x3fff), j, domain);
      break;
    case HERON_SEED_MAILER_APPLE:
    case HERON_SEED_MAILER_PHONE:
      g_string_append_printf (out, "%08X-%04X-%04X-%04X-%012" G_GINT64_MODIFIER "X@%s",
                              (guint32) (h >> 32), (guint) (h >> 16) & 0xffff, (guint) h & 0xffff,
                              (guint) (h >> 20) & 0xffff, j, domain);
      break;
    case HERON_SEED_MAILER_OUTLOOK:
      g_string_append_printf (out, "%016" G_GINT64_MODIFIER "X%08X@%s", h, j32, domain);
      break;
    case HERON_SEED_MAILER_GMAIL:
      g_string_append_printf (out, "CA%016" G_GINT64_MODIFIER "x%08x@mail.%s", h, j32, domain);
      break;
    case HERON_SEED_MAILER_EVOLUTION:
      g_string_append_printf (out, "%016" G_GINT64_MODIFIER "x%08x.camel@%s", h, j32, domain);
      break;
    case HERON_SEED_MAILER_MUTT:
      g_string_append_printf (out, "%016" G_GINT64_MODIFIER "x.%u@%s", h, meta->index, domain);
      break;
    case HERON_SEED_MAILER_WEBMAIL:
    default:
      g_string_append_printf (out, "%08x%016" G_GINT64_MODIFIER "x@%s", j32, h, domain);
      break;
    }
}

char *
heron_seed_message_id (const HeronSeedSpec *spec, guint index)
{
  HeronSeedGen gen;
  GString *out;

  g_return_val_if_fail (spec != NULL, NULL);

  _heron_seed_gen_init (&gen, spec);
  _heron_seed_gen_chain (&gen, index);
  out = g_string_new (NULL);
  _heron_seed_append_message_id (&gen, out, &gen.chain[0]);
  _heron_seed_gen_clear (&gen);
  return g_string_free (out, FALSE);
}

void
_heron_seed_root_subject (HeronSeedGen *gen, const HeronSeedMeta *meta, GString *out)
{
  const HeronSeedLang *lang = &_heron_seed_langs[meta->subject_lang];
  HeronSeedRng rng;
  const char *pattern;
  const char *topic;
  const char *hole;

  _heron_seed_rng_init (&rng, meta->subject_key, HERON_SEED_STREAM_META, 0);
  pattern = lang->subject_patterns[_heron_seed_below (&rng, lang->n_subject_patterns)];
  topic = lang->topics[_heron_seed_below (&rng, lang->n_topics)];
  hole = strstr (pattern, "%s");
  g_assert (hole != NULL);

  g_string_append_len (out, pattern, hole - pattern);
  /* A topic opens the subject with a capital letter. */
  if (hole == pattern && g_ascii_islower (topic[0]))
    {
      g_string_append_c (out, g_ascii_toupper (topic[0]));
      g_string_append (out, topic + 1);
    }
  else
    g_string_append (out, topic);
  g_string_append (out, hole + 2);

  switch (_heron_seed_below (&rng, 10))
    {
    case 0:
      g_string_append_printf (out, " #%u", 1000 + _heron_seed_below (&rng, 9000));
      break;
    case 1:
      {
        guint part = 1 + _heron_seed_below (&rng, 3);
        guint parts = 4 + _heron_seed_below (&rng, 3);

        g_string_append_printf (out, " (%u/%u)", part, parts);
      }
      break;
    default:
      break;
    }
}

/* ---- The generator ------------------------------------------------------------------------- */

void
_heron_seed_gen_init (HeronSeedGen *gen, const HeronSeedSpec *spec)
{
  const char *owner = spec->owner_address != NULL && spec->owner_address[0] != '\0'
                      ? spec->owner_address : HERON_SEED_DEFAULT_OWNER;
  const char *at;
  g_autofree char *local = NULL;
  GString *name = g_string_new (NULL);
  gboolean start = TRUE;

  memset (gen, 0, sizeof *gen);
  gen->seed = spec->seed;
  /* A bare user name gets a domain, so that every address in the corpus is complete. */
  gen->owner_address = strchr (owner, '@') != NULL ? g_strdup (owner)
                                                   : g_strconcat (owner, "@example.test", NULL);
  at = strchr (gen->owner_address, '@');
  gen->owner_domain = at + 1;
  local = g_strndup (gen->owner_address, (gsize) (at - gen->owner_address));

  /* "alice.smith" is "Alice Smith". */
  for (const char *p = local; *p != '\0'; p++)
    {
      if (*p == '.' || *p == '_' || *p == '-' || *p == '+')
        {
          if (!start)
            g_string_append_c (name, ' ');
          start = TRUE;
          continue;
        }
      g_string_append_c (name, start ? g_ascii_toupper (*p) : *p);
      start = FALSE;
    }
  if (name->len == 0)
    g_string_append (name, "Owner");
  gen->owner_name = g_string_free (name, FALSE);
  gen->owner_first = g_strdup (gen->owner_name);
  if (strchr (gen->owner_first, ' ') != NULL)
    *strchr (gen->owner_first, ' ') = '\0';

  gen->last_index = spec->first_index + MAX (spec->count, 1) - 1;
  gen->newest = spec->newest_date != 0 ? spec->newest_date : HERON_SEED_DEFAULT_NEWEST_DATE;
  gen->last_offset = date_offset (gen->seed, gen->last_index);

  gen->text = g_string_sized_new (64 * 1024);
  gen->bin = g_string_sized_new (64 * 1024);
  gen->scratch = g_string_sized_new (4096);
  gen->subject = g_string_sized_new (256);
  gen->line = g_string_sized_new (256);
}

void
_heron_seed_gen_clear (HeronSeedGen *gen)
{
  g_clear_pointer (&gen->owner_address, g_free);
  g_clear_pointer (&gen->owner_name, g_free);
  g_clear_pointer (&gen->owner_first, g_free);
  if (gen->text != NULL)
    g_string_free (gen->text, TRUE);
  if (gen->bin != NULL)
    g_string_free (gen->bin, TRUE);
  if (gen->scratch != NULL)
    g_string_free (gen->scratch, TRUE);
  if (gen->subject != NULL)
    g_string_free (gen->subject, TRUE);
  if (gen->line != NULL)
    g_string_free (gen->line, TRUE);
  memset (gen, 0, sizeof *gen);
}

/* ---- Public API ----------------------------------------------------------------------------- */

GBytes *
heron_seed_generate (const HeronSeedSpec *spec, guint index, gint64 *out_date, char **out_flags)
{
  HeronSeedGen gen;
  GString *out;
  gint64 date;
  char flags[8];

  g_return_val_if_fail (spec != NULL, NULL);

  _heron_seed_gen_init (&gen, spec);
  out = g_string_sized_new (16 * 1024);
  _heron_seed_build_message (&gen, index, out, &date, flags);
  _heron_seed_gen_clear (&gen);

  if (out_date != NULL)
    *out_date = date;
  if (out_flags != NULL)
    *out_flags = g_strdup (flags);
  return g_string_free_to_bytes (out);
}

static gboolean
set_errno_error (GError **error, int saved_errno, const char *what, const char *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s “%s”: %s", what, path,
               g_strerror (saved_errno));
  return FALSE;
}

static gboolean
ensure_dir (const char *path, GError **error)
{
  struct stat st;

  if (g_mkdir_with_parents (path, 0700) != 0)
    return set_errno_error (error, errno, "Cannot create the Maildir folder", path);
  if (g_stat (path, &st) != 0)
    return set_errno_error (error, errno, "Cannot read the Maildir folder", path);
  if (!S_ISDIR (st.st_mode))
    return set_errno_error (error, ENOTDIR, "Cannot use the Maildir folder", path);
  return TRUE;
}

static gboolean
write_all (int fd, const char *data, gsize len)
{
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return FALSE;
        }
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

gboolean
heron_seed_write_maildir_range (const char *maildir, const HeronSeedSpec *spec, guint first,
                                guint count, guint64 *out_bytes, GError **error)
{
  g_autofree char *cur = NULL;
  g_autofree char *tmp = NULL;
  g_autoptr(GString) msg = NULL;
  g_autoptr(GString) name = NULL;
  g_autoptr(GString) tmp_path = NULL;
  g_autoptr(GString) cur_path = NULL;
  HeronSeedGen gen;
  gboolean ok = TRUE;

  g_return_val_if_fail (maildir != NULL, FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  cur = g_build_filename (maildir, "cur", NULL);
  tmp = g_build_filename (maildir, "tmp", NULL);
  {
    g_autofree char *new_dir = g_build_filename (maildir, "new", NULL);

    if (!ensure_dir (maildir, error) || !ensure_dir (cur, error) || !ensure_dir (new_dir, error) ||
        !ensure_dir (tmp, error))
      return FALSE;
  }

  msg = g_string_sized_new (1024 * 1024);
  name = g_string_sized_new (128);
  tmp_path = g_string_sized_new (256);
  cur_path = g_string_sized_new (256);
  _heron_seed_gen_init (&gen, spec);

  for (guint64 i = first; i < (guint64) first + count && ok; i++)
    {
      gint64 date;
      char flags[8];
      gsize lines = 0;
      struct timespec times[2];
      int fd;

      g_string_truncate (msg, 0);
      _heron_seed_build_message (&gen, (guint) i, msg, &date, flags);
      for (const char *p = msg->str, *end = msg->str + msg->len;
           (p = memchr (p, '\n', (gsize) (end - p))) != NULL; p++)
        lines++;

      /* Dovecot gives new files UIDs in the order of the time at the start of the name; S= is
       * the file size and W= the size with CRLF line ends, which spares Dovecot from reading
       * the file for RFC822.SIZE. */
      g_string_printf (name, "%" G_GINT64_FORMAT ".M%06uP%u.heron,S=%" G_GSIZE_FORMAT
                       ",W=%" G_GSIZE_FORMAT ":2,%s", date,
                       (guint) (_heron_seed_hash (gen.seed, 0x2a, i) % 1000000), (guint) i,
                       msg->len, msg->len + lines, flags);
      g_string_printf (tmp_path, "%s/%s", tmp, name->str);
      g_string_printf (cur_path, "%s/%s", cur, name->str);

      fd = open (tmp_path->str, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      if (fd < 0)
        {
          ok = set_errno_error (error, errno, "Cannot create", tmp_path->str);
          break;
        }
      times[0].tv_sec = (time_t) date;
      times[0].tv_nsec = 0;
      times[1] = times[0];
      if (!write_all (fd, msg->str, msg->len) || futimens (fd, times) != 0)
        {
          int saved = errno;

          close (fd);
          g_unlink (tmp_path->str);
          ok = set_errno_error (error, saved, "Cannot write", tmp_path->str);
          break;
        }
      if (close (fd) != 0)
        {
          ok = set_errno_error (error, errno, "Cannot write", tmp_path->str);
          g_unlink (tmp_path->str);
          break;
        }
      if (g_rename (tmp_path->str, cur_path->str) != 0)
        {
          ok = set_errno_error (error, errno, "Cannot move the message to", cur_path->str);
          g_unlink (tmp_path->str);
          break;
        }
      if (out_bytes != NULL)
        *out_bytes += msg->len;
    }

  _heron_seed_gen_clear (&gen);
  return ok;
}

gboolean
heron_seed_write_maildir (const char *maildir, const HeronSeedSpec *spec, GError **error)
{
  g_return_val_if_fail (spec != NULL, FALSE);

  return heron_seed_write_maildir_range (maildir, spec, spec->first_index, spec->count, NULL,
                                         error);
}
