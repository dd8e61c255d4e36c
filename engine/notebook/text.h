/* text.h — the encodings reports need: UTF-8 checking, JSON strings, HTML
 * escaping and base64. Private to engine/notebook/ (and its tests).
 *
 * Every writer takes bytes with a length and appends to a strbuf; invalid
 * UTF-8 is replaced by U+FFFD one byte at a time, so any input gives valid
 * UTF-8 output. */
#ifndef LAB_NOTEBOOK_TEXT_H
#define LAB_NOTEBOOK_TEXT_H

#include <stddef.h>

#include "util/util.h"

/* The code point of the UTF-8 sequence at s (len > 0 bytes available), with
 * *adv set to its length; or -1 with *adv = 1 when the sequence is invalid
 * (bad lead or continuation byte, overlong, a surrogate, above U+10FFFF,
 * truncated). */
long text_utf8_decode(const char *s, size_t len, size_t *adv);

/* s as a JSON string literal, quotes included: ", \ and control characters
 * escaped (\n, \t, \u001f ...), invalid UTF-8 replaced by U+FFFD. */
void text_add_json_string(strbuf *b, const char *s, size_t len);

/* s as HTML text or attribute content: & < > " ' escaped, control characters
 * other than tab, newline and carriage return and invalid UTF-8 replaced. */
void text_add_html(strbuf *b, const char *s, size_t len);

/* s with invalid UTF-8 and NUL bytes replaced by U+FFFD, otherwise as is. */
void text_add_utf8(strbuf *b, const char *s, size_t len);

/* The base64 encoding (RFC 4648, padded, no line breaks) of len bytes. */
void text_add_base64(strbuf *b, const unsigned char *s, size_t len);

#endif
