/* i18n.h - gettext markers for user-facing text: _() translates now, N_() marks for later. */
#ifndef TMAIL_I18N_H
#define TMAIL_I18N_H

#include <libintl.h>

#define _(s)  gettext(s)
#define N_(s) (s)

#endif
