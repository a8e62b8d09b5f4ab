// kioskctl's documented exit codes (docs/operations.md, "Exit codes"). Scripts of hall staff and fleet admins
// rely on them: never renumber, only add.
#pragma once

namespace kioskctl {

enum ExitCode : int {
  kOk = 0,
  kFailure = 1,  // anything not listed below
  kUsage = 2,    // bad command line
  kConfig = 3,   // the configuration file is missing or wrong (each bad field is printed)
  // token/ (10–29)
  kModuleMissing = 10,     // the brand's PKCS#11 library is not installed (driver missing)
  kModuleLoadFailed = 11,  // it is there but does not load or initialise
  kTokenAbsent = 12,       // no key inserted
  kTokenRemoved = 13,      // the key was pulled during the operation
  kPinIncorrect = 14,
  kPinLocked = 15,
  kPinToBeChanged = 16,
  kTokenFull = 17,
  kMechanismUnsupported = 18,
  kDeviceError = 19,
  kCertificateProblem = 20,  // no certificate, unreadable, wrong key, not yet valid
  kTokenOther = 29,
  // services/platform (30–49): the `platform` commands, and `renew` when the platform fails before anything
  // started (one line says what happened)
  kPlatformOffline = 30,  // cannot connect
  kPlatformTimeout = 31,
  kPlatformTls = 32,        // TLS failure: wrong server certificate, our certificate refused
  kPlatformRefused = 33,    // HTTP error with a platform code (printed)
  kPlatformMalformed = 34,  // the answer could not be understood
  kClock = 35,  // `status`: this kiosk's clock is more than 5 minutes from the platform's, or a certificate's
                // validity window refused TLS (the clock, not the network)
  // engine (50–69)
  kRenewalNeedsStaff = 50,  // paid, cannot finish here: the customer goes to the counter
  kRenewalUnfinished = 51,  // stopped at a safe point; `kioskctl renew --resume` continues
  kJournal = 52,            // the journal cannot be opened, written (disk full, read-only) or is damaged
  kRenewalNeedsStaffNotTold = 53,  // as 50, but the platform has not acknowledged it yet: the kiosk keeps
                                   // telling it (`kioskctl business list` shows the outbox)
  kBusy = 54,  // another process (the running kiosk, another kioskctl renew) owns the journal and the key
  // the local staff channel (`kioskctl staff …`; docs/staff.md)
  kStaffNoKiosk = 55,  // no kiosk is running (no socket, nothing listening), or it did not answer in time
  kStaffDenied = 56,   // this user may not use the channel (not root, the kiosk's user or the staff group)
  kStaffRefused = 57,  // the kiosk could not do it (its reason printed: no such message, bad reason, ...)
};

}  // namespace kioskctl
