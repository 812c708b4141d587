/**
 * Every payload Refund Desk sends to Slack and Teams, as pure builders (the bot owns the Block
 * Kit, the Teams area the Adaptive Card), gathered here so one "minimum necessary" test renders
 * them all.
 */
export {
  approvalCard,
  cardFor,
  denyModal,
  escalationMessage,
  homeView,
  notificationFailedMessage,
  outcomeCard,
  queueMessage,
  reminderMessage,
} from '@refund-desk/slack-bot/src/slack-blocks.js';
export { teamsAlertCard, workflowsMessage } from '../teams/teams-cards.js';
