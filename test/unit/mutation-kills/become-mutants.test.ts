import { describe, expect, it } from "vitest";
import { BecomeFilter, planBecome } from "../../../src/transport/become.js";

/**
 * BecomeFilter decides from sudo's stderr whether the command ran, whether to send the password
 * (once, never twice), and which process group a timeout must kill. Pinned where the mutation run
 * found it unguarded.
 */

const NONCE = "n0nce";
const withPassword = () => new BecomeFilter(planBecome("id", "root", "s3cret", NONCE));
const withoutPassword = () => new BecomeFilter(planBecome("id", "root", undefined, NONCE));
const prompt = `[fleet-sudo-${NONCE}] password:`;
const marker = `FLEET-BECOME-OK-${NONCE}`;

describe("BecomeFilter: prompts", () => {
  it("sends the password at the first prompt only; a second prompt means it was rejected", () => {
    const filter = withPassword();
    expect(filter.feed(prompt).events).toEqual(["send-password"]);
    expect(filter.feed(`\nSorry, try again.\n${prompt}`).events).toEqual(["password-rejected"]);
  });

  it("two prompts in one chunk: send, then rejected", () => {
    expect(withPassword().feed(`${prompt}\nSorry, try again.\n${prompt}`).events).toEqual(["send-password", "password-rejected"]);
  });

  it("never sends a password it does not have: a prompt without one is a rejection", () => {
    expect(withoutPassword().feed(prompt).events).toEqual(["password-rejected"]);
  });
});

describe("BecomeFilter: the marker line", () => {
  it("reads the command's process group from the marker line", () => {
    const filter = withPassword();
    expect(filter.feed(`${marker} 4242\nout`)).toEqual({ output: "out", events: ["started"] });
    expect(filter.commandGroup).toBe(4242);
  });

  it.each([
    ["no group (/proc unreadable)", `${marker}\n`],
    ["a group that is not a number", `${marker} 12x\n`],
    ["text before the digits", `${marker} x12\n`],
  ])("leaves the process group unknown with %s", (_name, text) => {
    const filter = withoutPassword();
    expect(filter.feed(text).events).toEqual(["started"]);
    expect(filter.commandGroup).toBeUndefined();
  });

  it("after the marker, passes stderr through untouched and reports no events", () => {
    const filter = withoutPassword();
    filter.feed(`${marker} 7\n`);
    expect(filter.feed(`${prompt} is just text now\n`)).toEqual({ output: `${prompt} is just text now\n`, events: [] });
    expect(filter.failure()).toBeNull();
  });
});

describe("BecomeFilter: why sudo did not run the command", () => {
  it("nothing said: a generic reason", () => {
    expect(withoutPassword().failure()).toBe("sudo did not run the command");
  });

  it("one prompt answered, then sudo gave up: what sudo said, not a rejected password", () => {
    const filter = withPassword();
    filter.feed(`${prompt}\nsudo: a password is required\n`);
    expect(filter.failure()).toBe("sudo: a password is required");
  });

  it("the last three non-blank lines sudo said, joined", () => {
    const filter = withoutPassword();
    filter.feed("line 1\n\nline 2\n   \nline 3\nline 4\n\n");
    expect(filter.failure()).toBe("line 2 / line 3 / line 4");
  });

  it("a second prompt: the password was rejected, with what sudo said", () => {
    const filter = withPassword();
    filter.feed(`${prompt}\nSorry, try again.\n${prompt}\nsudo: 1 incorrect password attempt\n`);
    expect(filter.failure()).toBe("sudo rejected the become password: Sorry, try again. / sudo: 1 incorrect password attempt");
  });

  it("a second prompt and nothing else said", () => {
    const filter = withPassword();
    filter.feed(`${prompt}${prompt}`);
    expect(filter.failure()).toBe("sudo rejected the become password");
  });
});
