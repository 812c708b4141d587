export type { CardFacts, DeskAnswer, DeskPort, SlackActor } from './desk-port.js';
export { FetchReceiver } from './fetch-receiver.js';
export * from './slack-blocks.js';
export { createSlackBot, type SlackBot, type SlackBotOptions } from './slack-bot.js';
export { SlackSignatureError, signSlackRequest, verifySlackSignature } from './slack-signature.js';
