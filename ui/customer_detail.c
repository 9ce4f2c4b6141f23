/* The detail page of the item selected in a customer screen panel. */
#include "baton/buf.h"
#include "baton/customer.h"
#include "ui/customer.h"
#include "ui/ui.h"

#include <stdio.h>

/* The full item behind the selection, as text for a detail page. */
void customer_item_text(struct customer *c, enum panel p, int r, struct buf *b, char *title, size_t tn)
{
	switch (p) {
	case P_ONBOARDING:
		snprintf(title, tn, "Milestone %s", V(CV_MILESTONES, r, M_POSITION));
		buf_printf(b, "%s\n\nStatus:    %s\nOwner:     %s\nDue:       %s\nCompleted: %s\n",
		           V(CV_MILESTONES, r, M_TITLE), V(CV_MILESTONES, r, M_STATUS),
		           V(CV_MILESTONES, r, M_OWNER), V(CV_MILESTONES, r, M_DUE),
		           V(CV_MILESTONES, r, M_COMPLETED));
		if (*V(CV_MILESTONES, r, M_OVERDUE_DAYS))
			buf_printf(b, "Overdue:   %s days\n", V(CV_MILESTONES, r, M_OVERDUE_DAYS));
		if (*V(CV_MILESTONES, r, M_BLOCKED_REASON))
			buf_printf(b, "\nBlocked because:\n%s\n", V(CV_MILESTONES, r, M_BLOCKED_REASON));
		break;
	case P_TICKETS: {
		char left[32] = "";
		if (*V(CV_TICKETS, r, T_SLA_LEFT_S))
			fmt_left(left, sizeof left, cv_num(&c->cv, CV_TICKETS, r, T_SLA_LEFT_S));
		snprintf(title, tn, "Ticket %s", V(CV_TICKETS, r, T_ID));
		buf_printf(b, "#%s %s\n\nStatus:    %s\nPriority:  %s\nCategory:  %s\nAssignee:  %s\n"
		           "Opened:    %s\nSLA due:   %s %s\nSolved:    %s\n\n%s\n",
		           V(CV_TICKETS, r, T_ID), V(CV_TICKETS, r, T_SUBJECT), V(CV_TICKETS, r, T_STATUS),
		           V(CV_TICKETS, r, T_PRIORITY), V(CV_TICKETS, r, T_CATEGORY),
		           V(CV_TICKETS, r, T_ASSIGNEE), V(CV_TICKETS, r, T_OPENED),
		           V(CV_TICKETS, r, T_SLA_DUE), left, V(CV_TICKETS, r, T_SOLVED),
		           V(CV_TICKETS, r, T_BODY));
		break;
	}
	case P_NOTES:
		snprintf(title, tn, "Note by %s", V(CV_NOTES, r, N_AUTHOR_NAME));
		buf_printf(b, "%s  %s  %s (%s)\n\n%s\n", V(CV_NOTES, r, N_CREATED), V(CV_NOTES, r, N_KIND),
		           V(CV_NOTES, r, N_AUTHOR_NAME), V(CV_NOTES, r, N_AUTHOR), V(CV_NOTES, r, N_BODY));
		break;
	case P_MARKETING:
		snprintf(title, tn, "Campaign");
		buf_printf(b, "\"%s\"\n\nStatus:    %s\nWhen:      %s\nKind:      %s\nChannel:   %s\n",
		           V(CV_MARKETING, r, K_CAMPAIGN), V(CV_MARKETING, r, K_STATUS),
		           V(CV_MARKETING, r, K_AT), V(CV_MARKETING, r, K_KIND), V(CV_MARKETING, r, K_CHANNEL));
		break;
	case P_HANDOFFS:
		snprintf(title, tn, "Handoff %.8s", V(CV_HANDOFFS, r, HO_ID));
		buf_printf(b, "%s → %s%s%s%s\nReason:    %s\nPriority:  %s\nState:     %s\n"
		           "Written:   %s by %s (%s)\nAck due:   %s\n",
		           V(CV_HANDOFFS, r, HO_FROM_TEAM), V(CV_HANDOFFS, r, HO_TO_TEAM),
		           *V(CV_HANDOFFS, r, HO_TO_STAFF) ? " (" : "", V(CV_HANDOFFS, r, HO_TO_STAFF_NAME),
		           *V(CV_HANDOFFS, r, HO_TO_STAFF) ? ")" : "", V(CV_HANDOFFS, r, HO_REASON),
		           V(CV_HANDOFFS, r, HO_PRIORITY), V(CV_HANDOFFS, r, HO_STATE),
		           V(CV_HANDOFFS, r, HO_CREATED), V(CV_HANDOFFS, r, HO_AUTHOR_NAME),
		           V(CV_HANDOFFS, r, HO_AUTHOR), V(CV_HANDOFFS, r, HO_ACK_DUE));
		if (*V(CV_HANDOFFS, r, HO_TICKET))
			buf_printf(b, "Ticket:    #%s\n", V(CV_HANDOFFS, r, HO_TICKET));
		buf_printf(b, "Id:        %s\n\n%s\n\nHistory:\n%s\n", V(CV_HANDOFFS, r, HO_ID),
		           V(CV_HANDOFFS, r, HO_NOTE), V(CV_HANDOFFS, r, HO_EVENTS));
		break;
	default:
		snprintf(title, tn, "Flag");
		buf_puts(b, cv_flag_explain(c->flag_idx[r]));
	}
}
