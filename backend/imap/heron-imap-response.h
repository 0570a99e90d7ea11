/* heron-imap-response.h: typed IMAP server responses
 *
 * A HeronImapResponse is what HeronImapParser delivers for each complete server response. It is
 * immutable once delivered and owns all of its memory: every string, array and nested structure
 * hangs off one arena that heron_imap_response_unref() frees in one go. Responses are reference
 * counted (atomically), so a response can be kept past the parser callback with
 * heron_imap_response_ref() and handed to another thread.
 *
 * Conventions for every field below:
 * - Strings are NUL-terminated. NIL is NULL; the empty string is "". A string is the server's
 *   bytes after unquoting: it is UTF-8 when UTF8=ACCEPT or IMAP4rev2 is in effect, and otherwise
 *   usually US-ASCII, but IMAP4rev1 servers do send raw 8-bit header bytes in ENVELOPE and
 *   BODYSTRUCTURE strings, so decoding (RFC 2047, charsets) is the MIME layer's job. The one
 *   exception is "text" (the human-readable part of status responses), which is always valid
 *   UTF-8 (invalid bytes become U+FFFD).
 * - Lists are a pointer plus a count; string lists are also NULL-terminated.
 * - Numbers are range-checked: message numbers and UIDs are 32-bit, mod-sequences and sizes
 *   64-bit. A value that overflows its type makes the parser fail, it is never truncated.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  HERON_IMAP_RESPONSE_STATUS,         /* tagged or untagged OK, NO, BAD, and untagged BYE, PREAUTH */
  HERON_IMAP_RESPONSE_CONTINUATION,   /* "+ ..." command continuation request */
  HERON_IMAP_RESPONSE_CAPABILITY,
  HERON_IMAP_RESPONSE_ENABLED,        /* RFC 5161 */
  HERON_IMAP_RESPONSE_LIST,           /* LIST and LSUB */
  HERON_IMAP_RESPONSE_MAILBOX_STATUS, /* the STATUS response (not a status response) */
  HERON_IMAP_RESPONSE_SEARCH,
  HERON_IMAP_RESPONSE_ESEARCH,        /* RFC 4731, RFC 9051 */
  HERON_IMAP_RESPONSE_FLAGS,
  HERON_IMAP_RESPONSE_EXISTS,
  HERON_IMAP_RESPONSE_RECENT,         /* IMAP4rev1 only */
  HERON_IMAP_RESPONSE_EXPUNGE,
  HERON_IMAP_RESPONSE_VANISHED,       /* RFC 7162 */
  HERON_IMAP_RESPONSE_ID,             /* RFC 2971 */
  HERON_IMAP_RESPONSE_NAMESPACE,      /* RFC 2342 */
  HERON_IMAP_RESPONSE_QUOTA,          /* RFC 2087, RFC 9208 */
  HERON_IMAP_RESPONSE_QUOTAROOT,
  HERON_IMAP_RESPONSE_FETCH,
  HERON_IMAP_RESPONSE_UNKNOWN,        /* an untagged response this parser does not know */
} HeronImapResponseKind;

typedef enum {
  HERON_IMAP_CONDITION_OK,
  HERON_IMAP_CONDITION_NO,
  HERON_IMAP_CONDITION_BAD,
  HERON_IMAP_CONDITION_BYE,
  HERON_IMAP_CONDITION_PREAUTH,
} HeronImapCondition;

/* A range of message numbers or UIDs, first <= last (a server's "12:10" becomes 10..12). */
typedef struct {
  guint32 first;
  guint32 last;
} HeronImapRange;

/* A sequence set as the server sent it: ranges in wire order, neither sorted nor merged (COPYUID
 * pairs its source and destination sets by position). Never expanded, so "1:4294967295" is one
 * range. A server may not send "*" in a set; the parser rejects it. */
typedef struct {
  const HeronImapRange *ranges;
  guint n_ranges;
} HeronImapRanges;

typedef enum {
  HERON_IMAP_FLAG_SEEN     = 1 << 0,
  HERON_IMAP_FLAG_ANSWERED = 1 << 1,
  HERON_IMAP_FLAG_FLAGGED  = 1 << 2,
  HERON_IMAP_FLAG_DELETED  = 1 << 3,
  HERON_IMAP_FLAG_DRAFT    = 1 << 4,
  HERON_IMAP_FLAG_RECENT   = 1 << 5,
  HERON_IMAP_FLAG_ANY      = 1 << 6,  /* "\*" in PERMANENTFLAGS: new keywords can be created */
} HeronImapSystemFlags;

/* A flag list. @names holds every flag as sent (system flags point to interned strings with
 * the canonical spelling, e.g. "\\Seen" for "\\SEEN"); @system has a bit for each system flag. */
typedef struct {
  const char * const *names;
  guint n_names;
  guint system;
} HeronImapFlags;

typedef struct {
  const char * const *items;
  guint n_items;
} HeronImapStrings;

typedef enum {
  HERON_IMAP_CODE_NONE = 0,          /* the response had no [code] */
  HERON_IMAP_CODE_OTHER,             /* not known here: see name and raw */
  HERON_IMAP_CODE_ALERT,
  HERON_IMAP_CODE_ALREADYEXISTS,
  HERON_IMAP_CODE_APPENDUID,         /* number = UIDVALIDITY, set1 = UIDs */
  HERON_IMAP_CODE_AUTHENTICATIONFAILED,
  HERON_IMAP_CODE_AUTHORIZATIONFAILED,
  HERON_IMAP_CODE_BADCHARSET,        /* strings = supported charsets (maybe none) */
  HERON_IMAP_CODE_CANNOT,
  HERON_IMAP_CODE_CAPABILITY,        /* strings = capabilities */
  HERON_IMAP_CODE_CLIENTBUG,
  HERON_IMAP_CODE_CLOSED,
  HERON_IMAP_CODE_COMPRESSIONACTIVE, /* RFC 4978 */
  HERON_IMAP_CODE_CONTACTADMIN,
  HERON_IMAP_CODE_COPYUID,           /* number = UIDVALIDITY, set1 = source, set2 = destination */
  HERON_IMAP_CODE_CORRUPTION,
  HERON_IMAP_CODE_EXPIRED,
  HERON_IMAP_CODE_EXPUNGEISSUED,
  HERON_IMAP_CODE_HASCHILDREN,
  HERON_IMAP_CODE_HIGHESTMODSEQ,     /* modseq */
  HERON_IMAP_CODE_INUSE,
  HERON_IMAP_CODE_LIMIT,
  HERON_IMAP_CODE_MODIFIED,          /* set1 = the messages that failed the conditional STORE */
  HERON_IMAP_CODE_NOMODSEQ,
  HERON_IMAP_CODE_NONEXISTENT,
  HERON_IMAP_CODE_NOPERM,
  HERON_IMAP_CODE_NOTSAVED,
  HERON_IMAP_CODE_OVERQUOTA,
  HERON_IMAP_CODE_PARSE,
  HERON_IMAP_CODE_PERMANENTFLAGS,    /* flags */
  HERON_IMAP_CODE_PRIVACYREQUIRED,
  HERON_IMAP_CODE_READ_ONLY,
  HERON_IMAP_CODE_READ_WRITE,
  HERON_IMAP_CODE_SERVERBUG,
  HERON_IMAP_CODE_TRYCREATE,
  HERON_IMAP_CODE_UIDNEXT,           /* number */
  HERON_IMAP_CODE_UIDNOTSTICKY,
  HERON_IMAP_CODE_UIDVALIDITY,       /* number */
  HERON_IMAP_CODE_UNAVAILABLE,
  HERON_IMAP_CODE_UNKNOWN_CTE,       /* RFC 3516 */
  HERON_IMAP_CODE_UNSEEN,            /* number */
  HERON_IMAP_CODE_USEATTR,           /* RFC 6154 */
} HeronImapCodeKind;

/* A response code ("[UIDNEXT 4392]"). @name is the atom as sent and @raw the text between the
 * atom and "]" ("" when there is none), kept for every code so unknown ones lose nothing. */
typedef struct {
  HeronImapCodeKind kind;
  const char *name;
  const char *raw;
  guint32 number;
  guint64 modseq;
  HeronImapStrings strings;
  HeronImapFlags flags;
  HeronImapRanges set1;
  HeronImapRanges set2;
} HeronImapCode;

/* OK, NO, BAD, BYE, PREAUTH. The tag is HeronImapResponse.tag. */
typedef struct {
  HeronImapCondition condition;
  HeronImapCode code;
  const char *text;
} HeronImapStatus;

/* "+ text": @text is what follows "+ " ("" for a bare "+"), e.g. a base64 SASL challenge. */
typedef struct {
  const char *text;
} HeronImapContinuation;

typedef enum {
  HERON_IMAP_MAILBOX_NOINFERIORS     = 1 << 0,
  HERON_IMAP_MAILBOX_NOSELECT        = 1 << 1,
  HERON_IMAP_MAILBOX_MARKED          = 1 << 2,
  HERON_IMAP_MAILBOX_UNMARKED        = 1 << 3,
  HERON_IMAP_MAILBOX_HAS_CHILDREN    = 1 << 4,
  HERON_IMAP_MAILBOX_HAS_NO_CHILDREN = 1 << 5,
  HERON_IMAP_MAILBOX_NONEXISTENT     = 1 << 6,
  HERON_IMAP_MAILBOX_SUBSCRIBED      = 1 << 7,
  HERON_IMAP_MAILBOX_REMOTE          = 1 << 8,
  /* special use (RFC 6154, RFC 9051 section 7.3.1) */
  HERON_IMAP_MAILBOX_ALL             = 1 << 9,
  HERON_IMAP_MAILBOX_ARCHIVE         = 1 << 10,
  HERON_IMAP_MAILBOX_DRAFTS          = 1 << 11,
  HERON_IMAP_MAILBOX_FLAGGED         = 1 << 12,
  HERON_IMAP_MAILBOX_JUNK            = 1 << 13,
  HERON_IMAP_MAILBOX_SENT            = 1 << 14,
  HERON_IMAP_MAILBOX_TRASH           = 1 << 15,
  HERON_IMAP_MAILBOX_IMPORTANT       = 1 << 16, /* RFC 8457 */
} HeronImapMailboxAttributes;

/* A mailbox name. @raw is the name as the server sent it (after unquoting): use it, or the
 * encoding of @name, when talking to the server. @name is the name in UTF-8: decoded from
 * modified UTF-7 unless UTF8=ACCEPT/IMAP4rev2 is in effect, "INBOX" for any case of inbox, and
 * NULL when the server's name is not valid modified UTF-7 (or not valid UTF-8 in UTF-8 mode). */
typedef struct {
  const char *name;
  const char *raw;
} HeronImapMailboxName;

/* An extended data item (LIST RFC 5258, ...) this parser does not interpret: the tag and the
 * value's text as sent. */
typedef struct {
  const char *tag;
  const char *raw;
} HeronImapExtItem;

typedef struct {
  gboolean is_lsub;
  guint attributes;                 /* HeronImapMailboxAttributes */
  HeronImapStrings attribute_names; /* every attribute as sent */
  const char *delimiter;            /* NULL when the server sent NIL (flat names) */
  HeronImapMailboxName mailbox;
  HeronImapStrings childinfo;       /* CHILDINFO extended data (RFC 5258) */
  HeronImapMailboxName oldname;     /* OLDNAME extended data (RFC 9051); both NULL when absent */
  const HeronImapExtItem *extended; /* other extended data items */
  guint n_extended;
} HeronImapList;

typedef enum {
  HERON_IMAP_STATUS_MESSAGES      = 1 << 0,
  HERON_IMAP_STATUS_UIDNEXT       = 1 << 1,
  HERON_IMAP_STATUS_UIDVALIDITY   = 1 << 2,
  HERON_IMAP_STATUS_UNSEEN        = 1 << 3,
  HERON_IMAP_STATUS_HIGHESTMODSEQ = 1 << 4,
  HERON_IMAP_STATUS_SIZE          = 1 << 5,
  HERON_IMAP_STATUS_RECENT        = 1 << 6,
  HERON_IMAP_STATUS_DELETED       = 1 << 7,
} HeronImapStatusItems;

typedef struct {
  HeronImapMailboxName mailbox;
  guint items;                      /* HeronImapStatusItems present */
  guint32 messages;
  guint32 uidnext;
  guint32 uidvalidity;
  guint32 unseen;
  guint32 recent;
  guint32 deleted;
  guint64 highestmodseq;
  guint64 size;
} HeronImapMailboxStatus;

typedef struct {
  const guint32 *numbers;
  guint n_numbers;
  gboolean has_modseq;              /* "(MODSEQ n)" at the end, RFC 7162 section 3.1.5 */
  guint64 modseq;
} HeronImapSearch;

typedef enum {
  HERON_IMAP_ESEARCH_MIN    = 1 << 0,
  HERON_IMAP_ESEARCH_MAX    = 1 << 1,
  HERON_IMAP_ESEARCH_COUNT  = 1 << 2,
  HERON_IMAP_ESEARCH_ALL    = 1 << 3,
  HERON_IMAP_ESEARCH_MODSEQ = 1 << 4,
} HeronImapEsearchItems;

typedef struct {
  const char *tag;                  /* the search correlator, NULL when absent */
  gboolean uid;
  guint items;                      /* HeronImapEsearchItems present */
  guint32 min;
  guint32 max;
  guint32 count;
  HeronImapRanges all;
  guint64 modseq;
} HeronImapEsearch;

typedef struct {
  gboolean earlier;
  HeronImapRanges uids;
} HeronImapVanished;

typedef struct {
  const char *name;
  const char *value;                /* NULL for NIL */
} HeronImapParam;

/* "* ID NIL" has is_nil set and no pairs. */
typedef struct {
  gboolean is_nil;
  const HeronImapParam *pairs;
  guint n_pairs;
} HeronImapId;

typedef struct {
  const char *name;
  HeronImapStrings values;
} HeronImapNamespaceExt;

typedef struct {
  HeronImapMailboxName prefix;
  const char *delimiter;            /* NULL for NIL */
  const HeronImapNamespaceExt *extensions;
  guint n_extensions;
} HeronImapNamespaceEntry;

typedef struct {
  const HeronImapNamespaceEntry *entries; /* none when the server sent NIL */
  guint n_entries;
} HeronImapNamespaceList;

typedef struct {
  HeronImapNamespaceList personal;
  HeronImapNamespaceList other;
  HeronImapNamespaceList shared;
} HeronImapNamespace;

typedef struct {
  const char *name;                 /* e.g. "STORAGE" (KiB), "MESSAGE" */
  guint64 usage;
  guint64 limit;
} HeronImapQuotaResource;

typedef struct {
  const char *root;
  const HeronImapQuotaResource *resources;
  guint n_resources;
} HeronImapQuota;

typedef struct {
  HeronImapMailboxName mailbox;
  HeronImapStrings roots;
} HeronImapQuotaRoot;

typedef enum {
  HERON_IMAP_ADDRESS_MAILBOX,       /* an ordinary address */
  HERON_IMAP_ADDRESS_GROUP_START,   /* "group:" - mailbox holds the group name, host is NULL */
  HERON_IMAP_ADDRESS_GROUP_END,     /* ";" - mailbox and host are NULL */
} HeronImapAddressKind;

typedef struct {
  HeronImapAddressKind kind;
  const char *name;                 /* display name */
  const char *adl;                  /* source route */
  const char *mailbox;              /* local part */
  const char *host;
} HeronImapAddress;

typedef struct {
  const HeronImapAddress *addresses; /* none for NIL */
  guint n_addresses;
} HeronImapAddressList;

typedef struct {
  const char *date;
  const char *subject;
  HeronImapAddressList from;
  HeronImapAddressList sender;
  HeronImapAddressList reply_to;
  HeronImapAddressList to;
  HeronImapAddressList cc;
  HeronImapAddressList bcc;
  const char *in_reply_to;
  const char *message_id;
} HeronImapEnvelope;

typedef struct {
  const HeronImapParam *params;
  guint n_params;
} HeronImapParams;

typedef enum {
  HERON_IMAP_BODY_BASIC,            /* any single part that is not TEXT or MESSAGE/RFC822 */
  HERON_IMAP_BODY_TEXT,             /* TEXT/ (has lines) */
  HERON_IMAP_BODY_MESSAGE,          /* MESSAGE/RFC822 or MESSAGE/GLOBAL (envelope, body, lines) */
  HERON_IMAP_BODY_MULTIPART,
} HeronImapBodyKind;

typedef struct _HeronImapBody HeronImapBody;

/* One node of a BODY or BODYSTRUCTURE tree. Type and subtype are as sent (case varies between
 * servers; compare with g_ascii_strcasecmp()). For a multipart, @type is "MULTIPART", @parts
 * holds the children and the body fields (@id, @encoding, @size...) are unset. The extension
 * fields are set only when @has_extension (BODYSTRUCTURE; never for BODY). */
struct _HeronImapBody {
  HeronImapBodyKind kind;
  const char *type;
  const char *subtype;
  HeronImapParams params;
  const char *id;
  const char *description;
  const char *encoding;
  guint64 size;
  guint64 lines;
  const HeronImapEnvelope *envelope;  /* MESSAGE */
  const HeronImapBody *message_body;  /* MESSAGE */
  const HeronImapBody *parts;         /* MULTIPART: an array of n_parts nodes */
  guint n_parts;
  gboolean has_extension;
  const char *md5;                    /* single part only */
  const char *disposition;            /* NULL when NIL */
  HeronImapParams disposition_params;
  HeronImapStrings language;
  const char *location;
};

typedef enum {
  HERON_IMAP_SECTION_BODY,          /* BODY[section]<origin> */
  HERON_IMAP_SECTION_BINARY,        /* BINARY[section]<origin> (RFC 3516) */
  HERON_IMAP_SECTION_RFC822,        /* RFC822 (= BODY[]) */
  HERON_IMAP_SECTION_RFC822_HEADER, /* RFC822.HEADER (= BODY[HEADER]) */
  HERON_IMAP_SECTION_RFC822_TEXT,   /* RFC822.TEXT (= BODY[TEXT]) */
} HeronImapSectionKind;

/* A body section in a FETCH. @section is the text between the brackets as sent ("" for BODY[] and
 * the RFC822 forms). The content went to the parser's body consumer if one was installed (then
 * @data is NULL); otherwise it is in @data. */
typedef struct {
  HeronImapSectionKind kind;
  const char *section;
  gint64 origin;                    /* the <origin> octet, -1 when absent */
  gboolean is_nil;
  gboolean literal8;                /* sent as ~{n} (may contain NUL bytes) */
  guint64 size;
  GBytes *data;
} HeronImapBodySection;

typedef struct {
  const char *section;
  guint64 size;
} HeronImapBinarySize;

typedef enum {
  HERON_IMAP_FETCH_UID           = 1 << 0,
  HERON_IMAP_FETCH_FLAGS         = 1 << 1,
  HERON_IMAP_FETCH_MODSEQ        = 1 << 2,
  HERON_IMAP_FETCH_INTERNALDATE  = 1 << 3,
  HERON_IMAP_FETCH_RFC822_SIZE   = 1 << 4,
  HERON_IMAP_FETCH_ENVELOPE      = 1 << 5,
  HERON_IMAP_FETCH_BODY          = 1 << 6,  /* BODY (non-extensible structure) */
  HERON_IMAP_FETCH_BODYSTRUCTURE = 1 << 7,
  HERON_IMAP_FETCH_SECTIONS      = 1 << 8,  /* one or more body sections */
  HERON_IMAP_FETCH_PREVIEW       = 1 << 9,  /* RFC 8970 */
  HERON_IMAP_FETCH_BINARY_SIZE   = 1 << 10, /* RFC 3516 */
  HERON_IMAP_FETCH_EMAILID       = 1 << 11, /* RFC 8474 */
  HERON_IMAP_FETCH_THREADID      = 1 << 12, /* RFC 8474 */
} HeronImapFetchFields;

typedef struct {
  guint32 seq;
  guint fields;                     /* HeronImapFetchFields present */
  guint32 uid;
  guint64 modseq;
  HeronImapFlags flags;
  gint64 internaldate;              /* seconds since 1970-01-01 UTC */
  gint32 internaldate_offset;       /* the server's zone, seconds east of UTC */
  guint64 rfc822_size;
  const HeronImapEnvelope *envelope;
  const HeronImapBody *body;        /* from BODYSTRUCTURE or BODY */
  const HeronImapBodySection *sections;
  guint n_sections;
  const char *preview;              /* NULL when the server sent NIL */
  const HeronImapBinarySize *binary_sizes;
  guint n_binary_sizes;
  const char *email_id;
  const char *thread_id;            /* NULL for NIL */
  guint n_unknown;                  /* items this parser does not know, skipped */
} HeronImapFetch;

/* An untagged response this parser does not know. @number is set for "* 3 XYZ ..." responses;
 * @raw is the rest of the response after the name (literals inline after their "{n}"). */
typedef struct {
  const char *name;
  gboolean has_number;
  guint32 number;
  const char *raw;
} HeronImapUnknown;

typedef struct _HeronImapResponse HeronImapResponse;

struct _HeronImapResponse {
  HeronImapResponseKind kind;
  const char *tag;                  /* the tag of a tagged status response, NULL if untagged */
  union {
    HeronImapStatus status;                 /* STATUS */
    HeronImapContinuation continuation;     /* CONTINUATION */
    HeronImapStrings capability;            /* CAPABILITY, ENABLED */
    HeronImapList list;                     /* LIST */
    HeronImapMailboxStatus mailbox_status;  /* MAILBOX_STATUS */
    HeronImapSearch search;                 /* SEARCH */
    HeronImapEsearch esearch;               /* ESEARCH */
    HeronImapFlags flags;                   /* FLAGS */
    guint32 number;                         /* EXISTS, RECENT, EXPUNGE */
    HeronImapVanished vanished;             /* VANISHED */
    HeronImapId id;                         /* ID */
    HeronImapNamespace namespace_;          /* NAMESPACE */
    HeronImapQuota quota;                   /* QUOTA */
    HeronImapQuotaRoot quotaroot;           /* QUOTAROOT */
    HeronImapFetch fetch;                   /* FETCH */
    HeronImapUnknown unknown;               /* UNKNOWN */
  };
};

HeronImapResponse *heron_imap_response_ref       (HeronImapResponse       *response);
void               heron_imap_response_unref     (HeronImapResponse       *response);

const char        *heron_imap_response_kind_to_string (HeronImapResponseKind kind);
const char        *heron_imap_condition_to_string     (HeronImapCondition    condition);

/* TRUE for a tagged OK/NO/BAD with that tag. */
gboolean           heron_imap_response_is_tagged (const HeronImapResponse *response,
                                                  const char              *tag);

/* The INTERNALDATE of a FETCH as a GDateTime in the server's zone, or NULL when absent. */
GDateTime         *heron_imap_fetch_get_internaldate (const HeronImapFetch *fetch);

/* The body section of @kind with the @section text (compared case-insensitively), or NULL. */
const HeronImapBodySection *heron_imap_fetch_find_section (const HeronImapFetch *fetch,
                                                           HeronImapSectionKind  kind,
                                                           const char           *section);

/* TRUE if @flags has @flag (compared case-insensitively, as IMAP flags are). */
gboolean           heron_imap_flags_contains     (const HeronImapFlags    *flags,
                                                  const char              *flag);

/* A deterministic one-line description of a response, for logs and tests. It never includes
 * body section content (only sizes), but does include other strings: do not log it for
 * responses that may carry secrets. */
char              *heron_imap_response_to_string (const HeronImapResponse *response);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeronImapResponse, heron_imap_response_unref)

G_END_DECLS
