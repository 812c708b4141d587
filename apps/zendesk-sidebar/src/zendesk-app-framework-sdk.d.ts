/** The npm SDK is CommonJS without types; main.tsx narrows the client to `ZafClient`. */
declare module 'zendesk_app_framework_sdk' {
  const ZAFClient: { init(callback?: (context: unknown) => void): unknown };
  export default ZAFClient;
}
