import { describe, expect, it } from 'vitest';
import { classifyInbound } from '../server/src/notifications/inbound-sms.js';
import {
  fillTemplate,
  LOCALES,
  type MessageFacts,
  renderMessage,
  resolveLocale,
  STAGES,
} from '../server/src/notifications/message-templates.js';

const facts: MessageFacts = {
  org: 'Northside Clinic',
  firstName: 'Robin',
  reference: 'RD-7K3M9QXA',
  amount: '$25.00',
  method: 'card',
  last4: '4242',
  reason: 'Outside the return window.',
  link: 'https://desk.example/track/abc.def',
};

describe('message templates', () => {
  it.each(LOCALES.flatMap((locale) => STAGES.map((stage) => [locale, stage] as const)))(
    '%s / %s renders SMS, subject, text and HTML with the reference and link, no placeholder left',
    (locale, stage) => {
      const message = renderMessage(stage, locale, facts);
      for (const part of [message.sms, message.subject, message.text, message.html]) {
        expect(part.length).toBeGreaterThan(10);
        expect(part).not.toMatch(/\{\{|\}\}/);
      }
      for (const part of [message.sms, message.text, message.html]) expect(part).toContain(facts.reference);
      expect(message.sms).toContain(facts.link);
      expect(message.text).toContain(facts.link);
      expect(message.html).toContain(`href="${facts.link}"`);
      expect(message.html).toContain(`<html lang="${locale}">`);
      if (stage === 'denied') expect(message.text).toContain(facts.reason);
      if (stage === 'refund_sent') expect(message.text).toContain('4242');
    },
  );

  it('renders without a first name or last4, escapes HTML, and refuses a missing placeholder', () => {
    const message = renderMessage('refund_sent', 'en', {
      ...facts,
      firstName: undefined,
      last4: undefined,
      method: 'paypal',
    });
    expect(message.text).toContain('Hello,');
    expect(message.text).toContain('PayPal account');
    expect(message.text).toContain('3–5 business days');
    const denied = renderMessage('denied', 'en', { ...facts, reason: '<script>alert(1)</script> {{link}}' });
    expect(denied.html).not.toContain('<script>');
    expect(denied.html).toContain('&lt;script&gt;');
    expect(denied.text).toContain('{{link}}'); // a value is never read as a placeholder
    expect(() => fillTemplate('{{missing}}', {}, { html: false })).toThrow(/missing/);
    expect(resolveLocale('zh-Hans')).toBe('zh-CN');
    expect(resolveLocale('fr')).toBe('en');
  });

  it('knows STOP-family, START-family and free-text revocations', () => {
    for (const word of ['STOP', 'stop', 'StopAll', 'UNSUBSCRIBE', 'cancel', 'END', 'quit', 'REVOKE', 'OPTOUT', 'Stop.'])
      expect(classifyInbound(word).kind).toBe('opt_out');
    for (const word of ['START', 'unstop', 'Yes']) expect(classifyInbound(word).kind).toBe('opt_in');
    for (const text of [
      'please stop texting me',
      "Don't text me again",
      'no more messages please',
      'remove me',
      '请不要再发短信，退订',
    ])
      expect(classifyInbound(text)).toEqual({ kind: 'opt_out', source: 'sms:free_text' });
    for (const text of ['When will my refund arrive?', 'thanks!', 'I will stop by tomorrow'])
      expect(classifyInbound(text).kind).toBe('other');
  });
});
